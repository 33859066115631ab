"""ISS-2 through HTTP: apply → 该笔业务申报成功; the desk accepts or rejects; a job makes
the registers into the mailbox; downloads are recorded and the desk reads the trail;
bad input is refused with a Chinese message and nothing written."""
import io
from datetime import datetime

import dbfread
import pytest

from models import ApplicationAttachment, IssuerApplication, MailboxItem, RegisterAccess
from tests import seeding
from tests.accounts.account_helpers import Staff
from tests.issuers.portal_helpers import PDF, IssuerBrowser, flash_of, text
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


@pytest.fixture
def desk(app, demo):
    return Staff(app, "desk1", "issuer_desk")


def _count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def _only_application(app):
    with app.app_context():
        return db.session.execute(db.select(IssuerApplication)).scalar_one().id


def test_apply_accept_deliver_download_and_audit(app, desk):
    issuer = IssuerBrowser(app)
    resp = issuer.apply(kinds=["T1", "T3"], top="200")
    assert resp.status_code == 302
    page = issuer.get(resp.headers["Location"])
    assert "该笔业务申报成功" in text(page) and "待审核" in text(page)
    application_id = _only_application(app)

    review = desk.get(f"/staff/issuers/applications/{application_id}")
    assert review.status_code == 200 and "公告.pdf" in text(review)
    attachment = desk.get(f"/staff/issuers/applications/{application_id}/attachments/1")
    assert attachment.data == PDF
    # Only under its own application (or certificate) is an attachment served.
    assert desk.get(f"/staff/issuers/applications/{application_id + 1}/attachments/1"
                    ).status_code == 404
    assert desk.get("/staff/issuers/certificates/1/attachments/1").status_code == 404
    accepted = desk.post(f"/staff/issuers/applications/{application_id}",
                         {"decision": "accept"}, page=f"/staff/issuers/applications/{application_id}")
    assert accepted.status_code == 302
    run_pending(app)

    mailbox = issuer.get("/issuer/mailbox")
    assert "t160088803" in text(mailbox) and "t360088803" in text(mailbox)
    with app.app_context():
        items = db.session.execute(db.select(MailboxItem).order_by(MailboxItem.kind)).scalars().all()
        assert [i.kind for i in items] == ["T1", "T3"]
        assert items[1].file_name.startswith("t3600888032026112") and "t200." in items[1].file_name
        assert db.session.get(IssuerApplication, application_id).status == "delivered"
        t1 = items[0].id
    download = issuer.get(f"/issuer/mailbox/{t1}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    path = app.config["ISSUER_MAILBOX_DIR"] + "/check.dbf"
    with open(path, "wb") as f:
        f.write(download.data)
    rows = list(dbfread.DBF(path, encoding="gbk"))
    assert rows and {r["ZQDM"] for r in rows} == {"600888"}
    with app.app_context():
        actions = [a.action for a in db.session.execute(
            db.select(RegisterAccess).order_by(RegisterAccess.id)).scalars()]
        assert actions == ["made", "made", "downloaded"]
    trail = desk.get("/staff/issuers/audit")
    assert "下载" in text(trail) and "陈静（pujiang）" in text(trail)


def test_reject_needs_a_reason_and_happens_once(app, desk):
    issuer = IssuerBrowser(app)
    issuer.apply()
    application_id = _only_application(app)
    path = f"/staff/issuers/applications/{application_id}"
    no_reason = desk.post(path, {"decision": "reject", "reject_reason": ""}, page=path)
    assert "请填写驳回原因" in text(no_reason)
    desk.post(path, {"decision": "reject", "reject_reason": "附件不能佐证申请原因"}, page=path)
    page = issuer.get(f"/issuer/applications/{application_id}")
    assert "已驳回" in text(page) and "附件不能佐证申请原因" in text(page)
    with app.app_context():
        row = db.session.get(IssuerApplication, application_id)
        row.status = "submitted"  # the form is still open in a second tab …
        db.session.commit()
        row.status = "rejected"
        db.session.commit()
    twice = desk.client.post(path, data={"decision": "accept"})  # no token: CSRF refuses
    assert twice.status_code == 400


@pytest.mark.parametrize("fields, files, message", [
    ({"code": "600000"}, None, "不是贵公司的证券"),
    ({"code": "12\u200b"}, None, "不是贵公司的证券"),
    ({"record_date": "2026-11-22"}, None, "不是交易日"),
    ({"record_date": "2026-12-01"}, None, "晚于今天"),
    ({"record_date": "yesterday"}, None, "YYYY-MM-DD"),
    ({"record_date": "1990-01-02"}, None, "无全部股本类型持有人"),
    ({"kinds": ["T9"]}, None, "名册种类“T9”无效"),
    ({"kinds": []}, None, "请选择名册种类"),
    ({"kinds": ["T2"], "top": "0"}, None, "前N名数量应在 1 至 10,000"),
    ({"kinds": ["T2"], "top": "99999999"}, None, "前N名数量应在 1 至 10,000"),
    ({"kinds": ["T2"], "top": "abc"}, None, "应为整数"),
    ({"kinds": ["T6"]}, None, "不是债券"),
    ({"reason": "随便"}, None, "请选择申请原因"),
    ({"contact_phone": "abc"}, None, "联系人电话"),
    ({}, [], "请上传附件"),
    ({}, [(b"MZ\x90\x00binary", "病毒.exe")], "不是可接受的文件类型"),
    ({}, [(b"not a pdf at all", "公告.pdf")], "内容与文件类型不符"),
    ({}, [(b"", "空.pdf")], "空文件"),
    ({"reason": "召开股东大会", "kinds": ["T1"], "meeting_date": "2026-12-30"}, None,
     "需同时申请 T1"),
    ({"reason": "召开股东大会", "kinds": ["T1", "T5"], "meeting_date": ""}, None,
     "股东大会召开日期"),
])
def test_bad_input_is_refused_and_nothing_is_written(app, demo, fields, files, message):
    issuer = IssuerBrowser(app)
    resp = issuer.apply(files=files, **fields)
    assert resp.status_code == 422, text(resp)[:300]
    assert any(message in m for m in flash_of(resp)), flash_of(resp)
    assert _count(app, IssuerApplication) == 0
    assert _count(app, ApplicationAttachment) == 0


def test_a_document_renamed_keeps_its_checks(app, demo):
    """A real PDF with a capitalised extension is a PDF; so is a .docx that is one."""
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    issuer = IssuerBrowser(app)
    resp = issuer.apply(files=[(PDF, "公告.PDF"), (buf.getvalue(), "说明.docx")])
    assert resp.status_code == 302
    assert _count(app, ApplicationAttachment) == 2


def test_a_meeting_later_than_five_working_days_is_warned(app, desk):
    issuer = IssuerBrowser(app)
    # 2026-11-24 (Tue) → the meeting on Monday 11-30: 4 working days ahead.
    resp = issuer.apply(reason="召开股东大会", kinds=["T1", "T5"], meeting_date="2026-11-30")
    page = issuer.get(resp.headers["Location"])
    assert "该笔业务申报成功" in text(page) and "仅 4 个工作日" in text(page)
    assert "晚于提前5个工作日" in text(desk.get("/staff/issuers/"))


def test_in_time_for_a_meeting_no_warning(app, demo):
    issuer = IssuerBrowser(app)
    resp = issuer.apply(reason="召开股东大会", kinds=["T1", "T5"], meeting_date="2026-12-08")
    page = issuer.get(resp.headers["Location"])
    assert "该笔业务申报成功" in text(page) and "工作日" not in " ".join(flash_of(page))


def test_refused_while_the_fee_balance_is_below_zero(app, demo):
    yunsai = IssuerBrowser(app, "yunsai")
    form = yunsai.get("/issuer/applications/new")
    assert "查询费余额不足" in text(form)
    resp = yunsai.apply(code="900901", kinds=["B"])
    assert resp.status_code == 422 and "余额大于等于0后方可" in text(resp)
    assert _count(app, IssuerApplication) == 0


@pytest.mark.parametrize("shanghai, message", [
    (datetime(2026, 11, 24, 9, 30), "当前不在在线业务受理时间内"),   # 17:30 Shanghai
    (datetime(2026, 11, 28, 2, 0), "非交易日"),                      # Saturday 10:00
])
def test_applications_only_in_the_hours(make_app, shanghai, message):
    app = make_app(CLOCK_NOW=datetime(2026, 11, 24, 8, 0))
    seeding.load(app, "demo")
    issuer = IssuerBrowser(app)
    app.config["CLOCK_NOW"] = shanghai
    assert message in text(issuer.get("/issuer/applications/new"))
    resp = issuer.apply(record_date="2026-11-23")
    assert resp.status_code == 422 and message in text(resp)
    assert _count(app, IssuerApplication) == 0
    # Downloads are open at any time: the mailbox page still answers.
    assert issuer.get("/issuer/mailbox").status_code == 200
