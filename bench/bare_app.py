"""The baseline for ``bench/wechat_throughput.py``: a bare Flask endpoint.

It is served by gunicorn with exactly the settings the real app gets, and receives the
same signed, encrypted POSTs as ``/wechat``. It reads the body and answers a small XML
string shaped (and sized) like an encrypted WeChat reply, so the two differ only by what
the application does: no signature check, no decryption, no Redis, no database.

    gunicorn --chdir bench bare_app:app
"""
from flask import Flask, Response, request

app = Flask(__name__)

# About the size of the encrypted reply /wechat sends for a keyword message.
REPLY = ("<xml><Encrypt><![CDATA[" + "A" * 620 + "]]></Encrypt>"
         "<MsgSignature><![CDATA[0000000000000000000000000000000000000000]]></MsgSignature>"
         "<TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[0000000000]]></Nonce></xml>")


@app.post("/bare")
def bare():
    request.get_data()
    return Response(REPLY, mimetype="application/xml")


@app.get("/bare")
def ready():
    return Response("ok", mimetype="text/plain")
