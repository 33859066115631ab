"""A local card-verification gateway speaking docs/BANKCARD.md, for the adapter's tests.

It checks our request's signature and nonce as the real gateway must, answers from its
own small card table, and can misbehave on demand (``mode``): slow, 500, a wrong
signature, an answer to another request, a stale timestamp.
"""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from wechat_hall.adapters.bankcard_gateway import sign


def _free_port(first=53100, last=53999):
    for port in range(first, last):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 53100-53999")


class FakeGateway:
    def __init__(self, secret, cards):
        self.secret, self.cards = secret, cards
        self.mode = "ok"
        self.requests = []  # (headers, parsed body) as received
        self.seen_nonces = set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/verify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler, body):
        h = handler.headers
        stamp, nonce = h["X-Hall-Timestamp"], h["X-Hall-Nonce"]
        ok = (h["X-Hall-Signature"] == sign(self.secret, stamp, nonce, body)
              and nonce not in self.seen_nonces and abs(int(stamp) - time.time()) < 300)
        self.seen_nonces.add(nonce)
        ask = json.loads(body)
        self.requests.append((dict(h), ask))
        if not ok:
            return self._send(handler, 401, b'{"error":"bad signature"}', nonce)
        if self.mode == "500":
            return self._send(handler, 500, b"{}", nonce)
        if self.mode == "slow":
            time.sleep(2)
        holder = self.cards.get(ask["card_number"])
        result = ("match" if holder == (ask["name"], ask["id_number"], ask["phone"])
                  else "mismatch")
        request_id = "0" * 32 if self.mode == "other_request" else ask["request_id"]
        answer = json.dumps({"request_id": request_id, "result": result}).encode()
        self._send(handler, 200, answer, nonce)

    def _send(self, handler, status, answer, nonce):
        stamp = str(int(time.time()) - (1000 if self.mode == "stale" else 0))
        signature = sign(self.secret, stamp, nonce, answer)
        if self.mode == "forged":
            signature = sign("another secret", stamp, nonce, answer)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.send_header("X-Gateway-Timestamp", stamp)
        handler.send_header("X-Gateway-Signature", signature)
        handler.end_headers()
        handler.wfile.write(answer)
