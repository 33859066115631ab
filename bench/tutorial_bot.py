"""The baseline of ``bench/wechat_throughput.py``: the bot every wechatpy tutorial shows.

Check the signature, decrypt (safe mode), parse, answer the hall's keywords with a fixed
text and link, encrypt. No database, no Redis, no dedup, no time budget. Served by
gunicorn with exactly the app's settings: ``gunicorn --chdir bench tutorial_bot:app``.
"""
import os

from flask import Flask, abort, request
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

TOKEN, APPID = os.environ["WECHAT_TOKEN"], os.environ["WECHAT_APPID"]
BASE = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1")
KEYWORDS = [("预约", "业务预约", "/h5/appointments"), ("投票", "网络投票", "/h5/votes"),
            ("排号", "排号进度查询", "/h5/queue"), ("余额", "证券持有余额", "/h5/query/holdings"),
            ("绑定", "账户绑定", "/h5/account/bind"), ("客服", "在线客服", "/h5/service")]
HELP = "您好，这里是中国结算营业厅。您可以发送“预约”“投票”“排号”“查询”“绑定”“客服”。"
crypto = WeChatCrypto(TOKEN, os.environ["WECHAT_AES_KEY"], APPID)
app = Flask(__name__)


@app.route("/wechat", methods=["GET", "POST"])
def wechat():
    args = request.args
    try:
        check_signature(TOKEN, args.get("signature", ""), args.get("timestamp", ""),
                        args.get("nonce", ""))
    except InvalidSignatureException:
        abort(403)
    if request.method == "GET":
        return args.get("echostr", "")
    xml = crypto.decrypt_message(request.data, args.get("msg_signature", ""),
                                 args.get("timestamp", ""), args.get("nonce", ""))
    msg = parse_message(xml)
    text = HELP
    if msg.type == "text":
        for word, title, path in KEYWORDS:
            if word in msg.content and len(msg.content) <= 6:
                text = f"{title}：请点击 <a href=\"{BASE}{path}\">{title}</a>"
                break
    reply = create_reply(text, msg)
    return crypto.encrypt_message(reply.render(), args.get("nonce", ""),
                                  args.get("timestamp", ""))
