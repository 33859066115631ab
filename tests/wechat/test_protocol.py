"""/wechat as WeChat's servers meet it: signatures, safe mode, bad input (P-1)."""
import hashlib
import time

import pytest

from wechat_hall.simulator import push


def _sig(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _verify_args(token, timestamp=None, nonce="n0nce"):
    ts = str(timestamp or int(time.time()))
    return {"signature": _sig(token, ts, nonce), "timestamp": ts, "nonce": nonce,
            "echostr": "echo123"}


def test_url_verification_returns_echostr(client, app):
    resp = client.get("/wechat", query_string=_verify_args(app.config["WECHAT_TOKEN"]))
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "echo123"


def test_url_verification_with_bad_signature_is_refused(client):
    resp = client.get("/wechat", query_string=_verify_args("not-the-token"))
    assert resp.status_code == 403


def test_url_verification_with_stale_timestamp_is_refused(client, app):
    args = _verify_args(app.config["WECHAT_TOKEN"], timestamp=int(time.time()) - 3600)
    assert client.get("/wechat", query_string=args).status_code == 403


def test_url_verification_without_parameters_is_refused(client):
    assert client.get("/wechat").status_code == 403


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_text_message_is_answered_in_the_mode_it_came(make_app, mode):
    app = make_app(**({"WECHAT_AES_KEY": ""} if mode == "plain" else {}))
    from tests.conftest import WeChatPusher
    wechat = WeChatPusher(app, app.test_client())
    resp = wechat.text("o_mode_user", "你好")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    if mode == "safe":
        assert "<Encrypt>" in body and "<MsgSignature>" in body
    else:
        assert "<Encrypt>" not in body
    xml = wechat.reply_xml(resp)
    assert "<ToUserName><![CDATA[o_mode_user]]></ToUserName>" in xml
    assert "中国结算营业厅" in wechat.reply_text(resp)


def test_bad_signature_is_refused(app, client):
    xml = push.text_xml("o_bad", "gh_x", "预约")
    args, body = push.sign(xml, "wrong-token")
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


def test_bad_msg_signature_is_refused(app, client):
    cfg = app.config
    xml = push.text_xml("o_bad", "gh_x", "预约")
    args, body = push.sign(xml, cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"], cfg["WECHAT_AES_KEY"])
    args["msg_signature"] = "0" * 40
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


def test_message_for_another_appid_is_refused(app, client):
    cfg = app.config
    xml = push.text_xml("o_bad", "gh_x", "预约")
    args, body = push.sign(xml, cfg["WECHAT_TOKEN"], "wxsomebodyelse00", cfg["WECHAT_AES_KEY"])
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


def test_stale_timestamp_is_refused(app, client):
    xml = push.text_xml("o_old", "gh_x", "预约")
    args, body = push.sign(xml, app.config["WECHAT_TOKEN"], timestamp=int(time.time()) - 600)
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


def test_timestamp_from_the_future_is_refused(app, client):
    xml = push.text_xml("o_future", "gh_x", "预约")
    args, body = push.sign(xml, app.config["WECHAT_TOKEN"], timestamp=int(time.time()) + 600)
    assert client.post("/wechat", query_string=args, data=body).status_code == 403


@pytest.mark.parametrize("body", [
    "", "not xml at all", "<xml><ToUserName>", "<xml></xml>",
    "<xml><MsgType><![CDATA[text]]></MsgType></xml>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><xml>&e;</xml>',
    "\xff\xfe garbage",
])
def test_malformed_plain_xml_is_400(make_app, body):
    app = make_app(WECHAT_AES_KEY="")  # plain mode: the body is read as it came
    args, _ = push.sign("<xml/>", app.config["WECHAT_TOKEN"])
    resp = app.test_client().post("/wechat", query_string=args, data=body.encode("utf-8", "surrogateescape")
                       if isinstance(body, str) else body)
    assert resp.status_code == 400


@pytest.mark.parametrize("encrypt", ["", "!!!notbase64!!!", "QUJD", "A" * 64])
def test_malformed_encrypted_payload_is_refused_without_500(app, client, encrypt):
    cfg = app.config
    ts, nonce = str(int(time.time())), "abc"
    body = f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    args = {"signature": _sig(cfg["WECHAT_TOKEN"], ts, nonce), "timestamp": ts, "nonce": nonce,
            "encrypt_type": "aes", "msg_signature": _sig(cfg["WECHAT_TOKEN"], ts, nonce, encrypt)}
    resp = client.post("/wechat", query_string=args, data=body)
    assert resp.status_code in (400, 403)


def test_safe_mode_push_without_configured_key_is_400(make_app):
    app = make_app(WECHAT_AES_KEY="")
    xml = push.text_xml("o_x", "gh_x", "预约")
    args, body = push.sign(xml, app.config["WECHAT_TOKEN"], app.config["WECHAT_APPID"],
                           "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    assert app.test_client().post("/wechat", query_string=args, data=body).status_code == 400


def test_unknown_message_type_gets_success(wechat):
    xml = push.message_xml("hologram", "o_unknown", "gh_x", msg_id=push.new_msg_id(),
                           Content="x")
    resp = wechat.post(xml)
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "success"


def test_unknown_event_gets_success(wechat):
    resp = wechat.event("o_unknown", "some_future_event")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "success"


def test_image_message_gets_what_the_hall_can_do(wechat):
    xml = push.message_xml("image", "o_img", "gh_x", msg_id=push.new_msg_id(),
                           PicUrl="http://example.invalid/a.jpg", MediaId="m1")
    assert "预约" in wechat.reply_text(wechat.post(xml))


def test_get_and_post_only(client):
    assert client.put("/wechat").status_code == 405
