"""ISS-5 书面凭证 through HTTP: apply with the persons and evidence, the desk accepts, a
signed PDF arrives in the mailbox; persons never change after acceptance — a new
application only adds names; bad input refused with nothing written."""
from io import BytesIO

import pytest
from pypdf import PdfReader

from models import CertificatePerson, MailboxItem, WrittenCertificate
from tests import seeding
from tests.accounts.account_helpers import Staff
from tests.issuers.portal_helpers import PDF, IssuerBrowser, flash_of, text
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.accounts import check_characters

GROUP = "浦江集团有限公司," + "91310000MA1PJ0003" + \
    check_characters.gb32100_check_char("91310000MA1PJ0003")
FUND = "浦江成长混合型证券投资基金," + "91310000MA1PJ0008" + \
    check_characters.gb32100_check_char("91310000MA1PJ0008")


@pytest.fixture
def desk(app):
    seeding.load(app, "demo")
    return Staff(app, "desk1", "issuer_desk")


def _apply(issuer, files=None, **fields):
    data = {"code": "600888", "kind": "insiders", "reason": "上市公司实施收购",
            "as_of": "2026-11-23", "period_start": "2026-11-01", "persons": GROUP,
            "supplements": "", "note": ""}
    data.update(fields)
    data["attachments"] = [(BytesIO(b), n) for b, n in (files if files is not None
                                                         else [(PDF, "收购公告.pdf")])]
    return issuer.post("/issuer/certificates/new", data, page="/issuer/certificates/new")


def _count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def test_apply_accept_and_a_signed_pdf_in_the_mailbox(app, desk):
    issuer = IssuerBrowser(app)
    resp = _apply(issuer)
    assert resp.status_code == 302, flash_of(resp)
    assert "该笔业务申报成功" in text(issuer.get(resp.headers["Location"]))
    with app.app_context():
        cert_id = db.session.execute(db.select(WrittenCertificate.id)).scalar_one()
    path = f"/staff/issuers/certificates/{cert_id}"
    assert "浦江集团有限公司" in text(desk.get(path))
    assert desk.post(path, {"decision": "accept"}, page=path).status_code == 302
    run_pending(app)
    with app.app_context():
        item = db.session.execute(db.select(MailboxItem).filter_by(kind="C")).scalar_one()
        assert db.session.get(WrittenCertificate, cert_id).status == "delivered"
        item_id = item.id
    pdf = issuer.get(f"/issuer/mailbox/{item_id}").data
    assert pdf.startswith(b"%PDF") and b"/Sig" in pdf
    content = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "浦江集团有限公司" in content and "买卖变动明细" in content
    # Accepted: a supplement adds a name; naming the same person again is refused.
    again = _apply(issuer, persons=GROUP, supplements=str(cert_id))
    assert again.status_code == 422 and "只能增加查询对象" in text(again)
    more = _apply(issuer, persons=FUND, supplements=str(cert_id))
    assert more.status_code == 302
    with app.app_context():
        assert db.session.query(CertificatePerson).count() == 2


def test_a_supplement_needs_an_accepted_application(app, desk):
    issuer = IssuerBrowser(app)
    _apply(issuer)
    with app.app_context():
        cert_id = db.session.execute(db.select(WrittenCertificate.id)).scalar_one()
    early = _apply(issuer, persons=FUND, supplements=str(cert_id))
    assert "只能补充已受理的" in text(early)
    other = IssuerBrowser(app, "yunsai")
    assert other.get(f"/issuer/certificates/{cert_id}").status_code == 404


@pytest.mark.parametrize("fields, files, message", [
    ({"reason": "随便"}, None, "须选择所列申请原因之一"),
    ({"kind": "secret"}, None, "请选择书面凭证种类"),
    ({"persons": ""}, None, "请填写查询对象"),
    ({"persons": "只有名字"}, None, "应为“姓名/名称,证件号码"),
    ({"persons": "张三,12"}, None, "证件号码无效"),
    ({"persons": "张三,310104198506120521,123"}, None, "证券账户应为"),
    ({"persons": GROUP + "\n" + GROUP}, None, "重复"),
    ({"as_of": "2026-11-22"}, None, "不是交易日"),
    ({"period_start": "2026-11-24", "as_of": "2026-11-23"}, None, "不能晚于查询日期"),
    ({"as_of": "2026-12-01"}, None, "晚于今天"),
    ({"supplements": "999999"}, None, "不存在"),
    ({"code": "600000"}, None, "贵公司的证券代码"),
    ({}, [], "请上传证明材料"),
    ({}, [(b"\x00\x01", "x.exe")], "不是可接受的文件类型"),
])
def test_bad_input_is_refused(app, desk, fields, files, message):
    issuer = IssuerBrowser(app)
    resp = _apply(issuer, files=files, **fields)
    assert resp.status_code == 422
    assert any(message in m for m in flash_of(resp)), flash_of(resp)
    assert _count(app, WrittenCertificate) == 0 and _count(app, CertificatePerson) == 0


def test_share_structure_needs_no_persons(app, desk):
    issuer = IssuerBrowser(app)
    resp = _apply(issuer, kind="structure", reason="年报披露", persons="")
    assert resp.status_code == 302
    assert "该笔业务申报成功" in " ".join(flash_of(issuer.get(resp.headers["Location"])))
