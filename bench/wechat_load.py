"""The load process of ``bench/wechat_throughput.py``: keep-alive HTTP/1.1 connections on
plain asyncio streams, requests built before and replies checked after each window."""
import asyncio
import json
import math
import os
import random
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from harness import AES_KEY, APPID, TARGET, TOKEN
from machine import cpu_ticks

APOLOGY_MARK = "系统繁忙"
# (what the user sends, what the reply must mention)
KEYWORDS = [("我想预约", "业务预约"), ("投票", "网络投票"), ("排号", "排号进度查询"),
            ("查询余额", "证券持有余额"), ("绑定", "账户绑定"), ("客服", "在线客服")]
OTHER_TEXT = ("你好", "请问", "在吗", "谢谢", "hello", "ok")
OTHER_EXPECT = "您好，这里是中国结算营业厅"
KEYWORD_SHARE = 0.75
OPENIDS_PER_CONNECTION = 4


class Load:
    """The separate load process: builds requests, drives the connections, checks."""

    def __init__(self, config):
        self.c = config
        self.rng = random.Random(config["seed"])
        self.counter = 0
        self.progress = Path(config["progress"])
        self.mode = "mix"

    # -- requests ------------------------------------------------------------------

    def build(self, target, conn_index, seq):
        from wechat_hall.simulator import push
        msg_id = self.c["run_base"] + self.counter
        self.counter += 1
        new = self.mode == "new"  # every message from an openid never seen before
        # Keyword senders and free-text senders are different people: free text opens a
        # customer-service conversation (CS-2), and while one is open everything its
        # sender types, keywords included, belongs to that conversation.
        if self.rng.random() < KEYWORD_SHARE:
            content, expect = self.rng.choice(KEYWORDS)
            openid = (f"o_bench_new_{msg_id}" if new else
                      f"o_bench_kw_{conn_index:03d}_{seq % OPENIDS_PER_CONNECTION}")
        else:
            content, expect = (f"{self.rng.choice(OTHER_TEXT)} {secrets.token_hex(3)}",
                               OTHER_EXPECT)
            openid = (f"o_bench_new_{msg_id}" if new else
                      f"o_bench_cs_{conn_index:03d}_{seq % OPENIDS_PER_CONNECTION}")
        xml = push.text_xml(openid, TARGET, content, msg_id=msg_id)
        args, body = push.sign(xml, TOKEN, APPID, AES_KEY)
        spec = self.c["targets"][target]
        body = body.encode()
        raw = (f"POST {spec['path']}?{urlencode(args)} HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{spec['port']}\r\nContent-Type: text/xml\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        return raw, openid, expect

    def prepare(self, target, count):
        per = max(1, math.ceil(count / self.c["concurrency"]))
        batches = [[self.build(target, i, k) for k in range(per)]
                   for i in range(self.c["concurrency"])]
        self.progress.write_text(str(self.counter))
        return batches

    # -- one window ------------------------------------------------------------------

    async def window(self, target, batches, seconds, record):
        port = self.c["targets"][target]["port"]
        state = {"live": 0, "errors": {}}
        results = []  # (request meta, status, body) for checking afterwards
        latencies = []
        start = time.perf_counter()
        stop_at = start + seconds

        def error(kind):
            state["errors"][kind] = state["errors"].get(kind, 0) + 1

        async def connection(index):
            queue = batches[index]
            pos = 0
            reader = writer = None
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    break
                if pos < len(queue):
                    req = queue[pos]
                else:
                    req = self.build(target, index, pos)
                    state["live"] += 1
                pos += 1
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    t0 = time.perf_counter()
                    writer.write(req[0])
                    status, body, close = await read_response(reader)
                    t1 = time.perf_counter()
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    error(f"connection: {type(exc).__name__}")
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    await asyncio.sleep(0.01)
                    continue
                if t1 <= stop_at:
                    latencies.append(t1 - t0)
                    if record:
                        results.append((req[1], req[2], status, body))
                if close:
                    writer.close()
                    reader = writer = None
            if writer is not None:
                writer.close()

        tasks = [asyncio.ensure_future(connection(i)) for i in range(self.c["concurrency"])]
        done, pending = await asyncio.wait(tasks, timeout=seconds + 30)
        for t in pending:
            t.cancel()
            error("timeout: no answer 30 s after the window")
        for t in done:
            if t.exception() is not None:
                error(f"client: {type(t.exception()).__name__}")
        # Sockets closed by us: let the loop run their callbacks.
        await asyncio.sleep(0)
        return latencies, results, state

    def check(self, target, results, kinds):
        from wechat_hall.simulator import push
        errors = 0
        for openid, expect, status, body in results:
            kind = None
            if status != 200:
                kind = f"HTTP {status}"
            else:
                try:
                    xml = push.open_reply(body.decode(), TOKEN, APPID, AES_KEY)
                except Exception:  # noqa: BLE001
                    xml = None
                    kind = "reply does not decrypt" if body != b"success" else "success"
                if xml is not None:
                    content = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", xml, re.S)
                    to = re.search(r"<ToUserName><!\[CDATA\[(.*?)\]\]></ToUserName>", xml)
                    if content is None:
                        kind = "no text in reply"
                    elif APOLOGY_MARK in content.group(1):
                        kind = "handler failed (apology)"
                    elif to is None or to.group(1) != openid:
                        kind = "reply to the wrong user"
                    elif expect not in content.group(1):
                        kind = "wrong reply for keyword"
            if kind:
                errors += 1
                kinds[kind] = kinds.get(kind, 0) + 1
        return errors

    # -- CPU accounting ----------------------------------------------------------------

    proc_ticks = staticmethod(cpu_ticks)

    @staticmethod
    def machine_ticks():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    # -- the run -------------------------------------------------------------------------

    def run(self):
        hz = os.sysconf("SC_CLK_TCK")
        ncpu = os.cpu_count() or 1
        c = self.c
        phases = []
        rate_guess = {}
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for self.mode, rnd in [(m, r) for m in c["modes"] for r in range(1, c["rounds"] + 1)]:
            for target in ("app", "bot"):
                # Warm-up: also tells how many requests the window will need.
                warm = self.prepare(target, max(c["concurrency"] * 20,
                                                int(rate_guess.get(target, 0) * c["warmup"])))
                lat, _, _ = loop.run_until_complete(
                    self.window(target, warm, c["warmup"], record=False))
                rate = max(len(lat) / c["warmup"], rate_guess.get(target, 0))
                # Connections are not equally fast: prepare about twice what seems needed.
                need = int(rate * c["duration"] * 2.2) + c["concurrency"] * 20
                batches = self.prepare(target, need)
                pid = c["targets"][target]["pid"]
                s0, m0, cpu0 = self.proc_ticks(pid), self.machine_ticks(), time.process_time()
                w0 = time.perf_counter()
                lat, results, state = loop.run_until_complete(
                    self.window(target, batches, c["duration"], record=True))
                wall = time.perf_counter() - w0
                s1, m1, cpu1 = self.proc_ticks(pid), self.machine_ticks(), time.process_time()
                self.progress.write_text(str(self.counter))
                kinds = dict(state["errors"])
                errors = sum(kinds.values()) + self.check(target, results, kinds)
                busy = 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0])
                phase = {"target": target, "round": rnd, "mode": self.mode,
                         "load": os.getloadavg()[0], "seconds": c["duration"],
                         "completed": len(lat), "latencies": lat, "errors": errors,
                         "checked": len(results), "error_kinds": kinds,
                         "live_generated": state["live"],
                         "client_cpu": (cpu1 - cpu0) / wall,
                         "server_cpu": (s1 - s0) / hz / wall, "machine_busy": busy}
                phases.append(phase)
                rate_guess[target] = len(lat) / c["duration"]
                print(f"{self.mode} round {rnd} {target:4}: {len(lat) / c['duration']:8.1f} req/s, "
                      f"errors {errors}, load CPU {phase['client_cpu']:.2f}, server CPU "
                      f"{phase['server_cpu']:.2f}, machine {busy * ncpu:.2f}/{ncpu}",
                      file=sys.stderr)
        loop.close()
        self.progress.write_text(str(self.counter))
        Path(c["result"]).write_text(json.dumps({"phases": phases}))


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close, chunked = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(parts), close
    if length is None:
        return status, await reader.read(), True
    return status, await reader.readexactly(length), close
