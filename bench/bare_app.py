"""The baselines of the benchmarks: bare Flask endpoints.

They are served by gunicorn with exactly the settings the real app gets, so a figure of
the hall and its baseline differ only by what the application does:

- ``POST /bare``: the same signed, encrypted pushes as ``/wechat``
  (``bench/wechat_throughput.py``). It reads the body and answers a small XML string
  shaped (and sized) like an encrypted WeChat reply: no signature check, no decryption,
  no Redis, no database.
- ``GET /bare``: ``ok`` (the progress lookups of ``bench/appointments_bench.py``).
- ``POST /h5/votes/<meeting>/<account>/ballot``: the same confirmed ballots as the real
  page (``bench/vote_http.py``). It parses the form and answers the 302 to the receipt
  that the real page answers: no session, no CSRF check, no database.
- ``POST /h5/appointments/confirm``: the same 提交 requests as the real page
  (``bench/appointments_load.py``), answered with the 302 of a booking made.

    gunicorn --chdir bench bare_app:app
"""
from flask import Flask, Response, redirect, request

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


@app.post("/h5/votes/<int:meeting_id>/<account>/ballot")
def ballot(meeting_id, account):
    request.form.get("step")
    return redirect(f"/h5/votes/{meeting_id}/{account}/receipt?new=1")


@app.post("/h5/appointments/confirm")
def confirm():
    request.form.get("token")
    return redirect("/h5/appointments/1?new=1")
