"""Fake API: template messages, typed field limits (47003) and client_msg_id dedup."""
import pytest

from models import SimOutbound
from wechat_hall.extensions import db

TEMPLATE = "TPL_appointment_reminder"


def _send(fake_api, openid, data, **extra):
    body = {"touser": openid, "template_id": TEMPLATE, "data": data, **extra}
    return fake_api.post("/cgi-bin/message/template/send", body)


def _rows(app, openid):
    with app.app_context():
        return db.session.execute(db.select(SimOutbound).filter_by(
            openid=openid, kind="template")).scalars().all()


def test_template_is_sent_with_a_msgid_and_no_window(app, phone, fake_api, age):
    openid = phone.follower()
    age(openid, 3 * 24 * 3600)  # templates need no customer-service window
    answer = _send(fake_api, openid, {"thing1": {"value": "北京营业厅"},
                                      "time2": {"value": "2026年12月1日 09:30"},
                                      "character_string3": {"value": "A0012"},
                                      "number4": {"value": 3}}, url="http://hall.test/h5/")
    assert answer["errcode"] == 0 and answer["msgid"] > 0
    assert len(_rows(app, openid)) == 1


@pytest.mark.parametrize("key, value", [
    ("thing1", "一" * 21),
    ("phrase2", "已经预约成功"),          # 6 > 5
    ("phrase2", "ok"),                   # phrases are Chinese words
    ("character_string3", "A" * 33),
    ("character_string3", "中文编号"),
    ("number4", "1" * 33),
    ("number4", "三"),
    ("amount5", "¥" + "9" * 32),
    ("time6", "2" * 33),
    ("date7", "2" * 33),
    ("name8", "欧阳一二三四五六七八"[:10] + "九"),  # 11 Chinese characters
    ("phone_number9", "1" * 18),
    ("thing1", ""),
])
def test_typed_fields_are_checked(phone, fake_api, key, value):
    openid = phone.follower()
    answer = _send(fake_api, openid, {key: {"value": value}})
    assert answer["errcode"] == 47003
    assert key in answer["errmsg"]


def test_limits_are_inclusive_and_first_remark_ignored(phone, fake_api):
    openid = phone.follower()
    answer = _send(fake_api, openid, {"thing1": {"value": "一" * 20},
                                      "phrase2": {"value": "预约成功"},
                                      "first": {"value": "很长" * 100},
                                      "remark": {"value": "很长" * 100}})
    assert answer["errcode"] == 0


def test_client_msg_id_sends_once(app, phone, fake_api):
    openid = phone.follower()
    data = {"thing1": {"value": "预约提醒"}}
    first = _send(fake_api, openid, data, client_msg_id="job-42")
    again = _send(fake_api, openid, data, client_msg_id="job-42")
    other = _send(fake_api, openid, data, client_msg_id="job-43")
    assert first["errcode"] == again["errcode"] == other["errcode"] == 0
    assert again["msgid"] == first["msgid"]
    assert other["msgid"] != first["msgid"]
    assert len(_rows(app, openid)) == 2


def test_template_refusals(phone, fake_api):
    openid = phone.follower()
    assert _send(fake_api, "o_stranger_0001", {})["errcode"] == 40003
    assert fake_api.post("/cgi-bin/message/template/send",
                         {"touser": openid, "data": {}})["errcode"] == 40037
    assert _send(fake_api, openid, ["not", "a", "dict"])["errcode"] == 47001
    assert _send(fake_api, openid, {"thing1": "no value object"})["errcode"] == 47003
    phone.event(openid, "unsubscribe")
    assert _send(fake_api, openid, {"thing1": {"value": "提醒"}})["errcode"] == 43004


def test_the_apps_send_template_dedups_a_retry(app, phone):
    """wechat_api.send_template with the same client_msg_id: one message."""
    from wechat_hall.services.wechat import api
    openid = phone.follower()
    with app.app_context():
        first = api.send_template(openid, TEMPLATE, {"thing1": {"value": "提醒"}},
                                         client_msg_id="retry-1")
        second = api.send_template(openid, TEMPLATE, {"thing1": {"value": "提醒"}},
                                          client_msg_id="retry-1")
        assert first["msgid"] == second["msgid"]
        with pytest.raises(api.WeChatRefused) as refused:
            api.send_template(openid, TEMPLATE, {"thing1": {"value": "长" * 21}})
        assert refused.value.errcode == 47003
    assert len(_rows(app, openid)) == 1
