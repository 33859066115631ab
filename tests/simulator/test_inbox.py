"""The development inbox and the adapters' ``dev_inbox.record``."""
import pytest

from wechat_hall.adapters import dev_inbox
from wechat_hall.extensions import db


def _record(app, *args, **kwargs):
    with app.app_context():
        message = dev_inbox.record(*args, **kwargs)
        db.session.commit()
        return message.id, [a.id for a in message.attachments]


def test_inbox_lists_newest_first_with_attachments(app, client):
    _record(app, "sms", "13800000001", "", "【中国结算】验证码 123456，5 分钟内有效。")
    _, (attachment,) = _record(app, "email", "zhang@example.com", "电子凭证",
                               "请查收附件。", attachments=[("凭证.pdf", "application/pdf",
                                                             b"%PDF-1.4 test")])
    res = client.get("/sim/inbox")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert html.index("电子凭证") < html.index("验证码 123456")
    assert "凭证.pdf" in html
    download = client.get(f"/sim/inbox/attachment/{attachment}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 test"
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get("/sim/inbox/latest").get_json()["last"] >= 2


def test_inbox_filters(app, client):
    _record(app, "sms", "13800000001", "", "短信甲")
    _record(app, "email", "li@example.com", "邮件乙", "正文")
    assert "短信甲" not in client.get("/sim/inbox?channel=email").get_data(as_text=True)
    html = client.get("/sim/inbox?to=1380000").get_data(as_text=True)
    assert "短信甲" in html and "邮件乙" not in html


def test_record_needs_the_caller_to_commit(app):
    with app.app_context():
        dev_inbox.record("sms", "13800000002", "", "未提交")
        db.session.rollback()
    assert "未提交" not in app.test_client().get("/sim/inbox").get_data(as_text=True)


def test_record_refuses_an_unknown_channel(app):
    with app.app_context(), pytest.raises(ValueError):
        dev_inbox.record("fax", "x", "", "")


def test_new_sms_shows_on_the_phone(app, phone):
    first = phone.client.get("/sim/feed").get_json()
    assert first["inbox_last"] == 0 and first["sms"] == []
    _record(app, "sms", "13800000003", "", "验证码 654321")
    _record(app, "email", "a@example.com", "邮件", "不在手机上弹出")
    feed = phone.client.get("/sim/feed", query_string={"inbox_after": 0}).get_json()
    assert feed["sms"] == [{"recipient": "13800000003", "body": "验证码 654321"}]
    assert phone.client.get("/sim/feed", query_string={
        "inbox_after": feed["inbox_last"]}).get_json()["sms"] == []


def test_missing_attachment_is_404(client):
    assert client.get("/sim/inbox/attachment/999").status_code == 404
