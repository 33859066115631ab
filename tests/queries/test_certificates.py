"""Q-8: the request form's refusals (nothing sent, nothing counted), the job's signed PDF
in the development inbox, a real SMTP server on loopback, the daily limit, the status
list and the public verification page."""
import re
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from io import BytesIO

import pypdf
import pytest

from models import CertificateQuota, CertificateRequest, DevMessage
from wechat_hall import clock
from wechat_hall.adapters import pdf_signer
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.queries import trading_days

from tests import seeding
from tests.queries.query_helpers import WANG_ID, WANG_YMT, activated_user, sign_in

EMAIL = "wang.an@example.com"


def csrf(client, path="/h5/certificates/new"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def day(days_ago=None):
    if days_ago is None:
        return trading_days.previous_trading_day(clock.today(), inclusive=False)
    return trading_days.previous_trading_day(clock.today() - timedelta(days=days_ago))


def ask(client, **overrides):
    data = {"kind": "holdings", "date": str(day()), "start": "", "end": "", "account": "",
            "market": "", "email": EMAIL, "id_number": WANG_ID, **overrides}
    data["csrf_token"] = csrf(client)
    return client.post("/h5/certificates/new", data=data)


def count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def pdf_of(app, message_id=None):
    with app.app_context():
        row = db.session.execute(db.select(DevMessage).filter_by(channel="email")
                                 .order_by(DevMessage.id.desc())).scalars().first()
        assert row is not None and row.recipient == EMAIL
        (attachment,) = row.attachments
        assert attachment.content_type == "application/pdf"
        return attachment.data, row


def pdf_text(pdf):
    return "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(pdf)).pages)


def trust(app):
    with app.app_context():
        return [pdf_signer.certificate(app.config)]


def test_holdings_certificate_end_to_end(app, wang):
    resp = ask(wang, account="A312600024")
    assert resp.status_code == 302
    with app.app_context():
        row = db.session.execute(db.select(CertificateRequest)).scalar_one()
        assert row.status == "pending"
        code = row.code
    assert "生成中" in wang.get("/h5/certificates/").get_data(as_text=True)
    run_pending(app)
    pdf, message = pdf_of(app)
    assert code in message.body
    status = pdf_signer.validate(pdf, trust(app))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    text = pdf_text(pdf)
    for expected in ["证券持有余额电子凭证", "中国证券登记结算有限责任公司", "王安", "211****0003",
                     "180312600024", code, "出具时间", "招商银行", "600036", "2,500股", "工商银行",
                     "10,000股", "800"]:
        assert expected in text, expected
    assert "0312600024（深A）" not in text and "平安银行" not in text  # one account only
    listing = wang.get("/h5/certificates/").get_data(as_text=True)
    assert "已发送" in listing and code in listing
    with app.app_context():
        row = db.session.execute(db.select(CertificateRequest)).scalar_one()
        assert row.status == "sent" and row.row_count == 7 and len(row.pdf_sha256) == 64

    # Anyone can check the code; a wrong one is not found.
    page = app.test_client().get(f"/h5/certificates/verify?code={code}").get_data(as_text=True)
    assert "该凭证由本公司出具" in page and row.pdf_sha256 in page and "*安" in page
    page = app.test_client().get("/h5/certificates/verify?code=AAAA-BBBB-CCCC-DDDD")
    assert "未找到该验证码" in page.get_data(as_text=True)


def test_a_changed_byte_breaks_the_signature(app, wang):
    ask(wang)
    run_pending(app)
    pdf, _ = pdf_of(app)
    at = pdf.index(b"(\xfe\xff") if b"(\xfe\xff" in pdf else pdf.index(b"/Producer")
    changed = pdf[:at + 3] + bytes([pdf[at + 3] ^ 1]) + pdf[at + 4:]  # same length
    assert pdf_signer.validate(pdf, trust(app)).intact
    assert not pdf_signer.validate(changed, trust(app)).intact


def test_changes_and_freezes_certificates(app, wang):
    start = trading_days.years_back(clock.today(), 1)
    assert ask(wang, kind="changes", start=str(start), end=str(clock.today())
               ).status_code == 302
    run_pending(app)
    pdf, _ = pdf_of(app)
    text = pdf_text(pdf)
    assert "证券持有变更电子凭证" in text and "变更后余额" in text and "卖出" in text
    assert ask(wang, kind="freezes").status_code == 302
    run_pending(app)
    text = pdf_text(pdf_of(app)[0])
    assert "证券冻结情况电子凭证" in text and "上海市浦东新区人民法院" in text


def test_three_years_back_is_allowed_not_more(app, wang):
    assert ask(wang, date=str(day(365 * 2))).status_code == 302
    resp = ask(wang, date=str(trading_days.years_back(clock.today(), 3)
                              - timedelta(days=3)))
    assert resp.status_code == 400 and "仅提供近三年内" in resp.get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"id_number": "211103198603040000"}, "证件号码与一码通登记信息不一致"),
    ({"id_number": ""}, "证件号码与一码通登记信息不一致"),
    ({"email": "not-an-email"}, "请输入正确的电子邮箱"),
    ({"email": ""}, "请输入正确的电子邮箱"),
    ({"account": "A108300319"}, "该证券账户不属于您已绑定的一码通"),
    ({"kind": "nonsense"}, "请选择电子凭证类型"),
    ({"date": "2999-01-01"}, "查询日期不能晚于今天"),
    ({"date": "yesterday"}, "请输入正确的日期"),
    ({"market": "BJ"}, "所选交易市场下没有您的证券账户"),
])
def test_refusals_send_nothing_and_count_nothing(app, wang, overrides, message):
    resp = ask(wang, **overrides)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    run_pending(app)
    assert count(app, CertificateRequest) == 0
    assert count(app, DevMessage) == 0
    assert count(app, CertificateQuota) == 0


def test_the_id_number_may_be_typed_with_a_lower_x_or_spaces(app, registry):
    li = sign_in(app.test_client(), activated_user(app, "13900000153", "180451200153"))
    resp = ask(li, id_number=" 32010219900503153x ")
    assert resp.status_code == 302


def test_without_csrf_nothing_happens(app, wang):
    resp = wang.post("/h5/certificates/new", data={"kind": "holdings", "date": str(day()),
                                                    "email": EMAIL, "id_number": WANG_ID})
    assert resp.status_code == 400
    assert count(app, CertificateRequest) == 0


def test_five_a_day_then_refused(app, wang):
    for _ in range(5):
        assert ask(wang).status_code == 302
    resp = ask(wang)
    assert resp.status_code == 400
    assert "已达单日上限" in resp.get_data(as_text=True)
    run_pending(app)
    assert count(app, CertificateRequest) == 5
    assert count(app, DevMessage) == 5
    assert "今日已申请 5 / 5 次" in wang.get("/h5/certificates/").get_data(as_text=True)


def test_the_limit_is_per_shanghai_day(make_app):
    """The five a day reset at midnight in Shanghai (16:00 UTC), not at midnight UTC: the
    clock is frozen either side of both, where the UTC date and the Shanghai date differ."""
    late_on_1st = clock.shanghai(2026, 12, 1, 23, 30)
    just_after_midnight = clock.shanghai(2026, 12, 2, 0, 30)
    after_utc_midnight = clock.shanghai(2026, 12, 2, 8, 30)
    assert late_on_1st == datetime(2026, 12, 1, 15, 30)            # UTC, the 1st
    assert just_after_midnight == datetime(2026, 12, 1, 16, 30)    # UTC, still the 1st
    assert after_utc_midnight == datetime(2026, 12, 2, 0, 30)      # UTC, the 2nd
    app = seeding.load(make_app(CLOCK_NOW=late_on_1st), "history")
    client = sign_in(app.test_client(), activated_user(app, "13900000024", WANG_YMT))
    on = str(date(2026, 11, 30))  # a Monday: the holdings of that day
    for _ in range(5):
        assert ask(client, date=on).status_code == 302
    assert "已达单日上限" in ask(client, date=on).get_data(as_text=True)
    app.config["CLOCK_NOW"] = just_after_midnight  # a new day in Shanghai, not in UTC
    for _ in range(5):
        assert ask(client, date=on).status_code == 302
    assert "已达单日上限" in ask(client, date=on).get_data(as_text=True)
    app.config["CLOCK_NOW"] = after_utc_midnight   # a new day in UTC, not in Shanghai
    resp = ask(client, date=on)
    assert resp.status_code == 400 and "已达单日上限" in resp.get_data(as_text=True)
    assert "今日已申请 5 / 5 次" in client.get("/h5/certificates/").get_data(as_text=True)
    with app.app_context():
        used = db.session.execute(db.select(CertificateQuota.day, CertificateQuota.used)
                                  .order_by(CertificateQuota.day)).all()
    assert [tuple(row) for row in used] == [(date(2026, 12, 1), 5), (date(2026, 12, 2), 5)]
    assert count(app, CertificateRequest) == 10


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Collect(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content, policy=policy.default)

    import socket
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_smtp_delivers_the_signed_pdf(make_app, registry, smtp_server):
    handler, port = smtp_server
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                   SMTP_SECURITY="none", MAIL_FROM="hall@example.com")
    client = sign_in(app.test_client(), activated_user(app, "13900000024", "180312600024"))
    assert ask(client).status_code == 302
    run_pending(app)
    assert len(handler.messages) == 1
    mail = handler.messages[0]
    assert mail["To"] == EMAIL and "电子凭证" in mail["Subject"]
    (part,) = [p for p in mail.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename().startswith("电子凭证-")
    pdf = part.get_content()
    status = pdf_signer.validate(pdf, trust(app))
    assert status.intact and status.valid and status.trusted
    assert count(app, DevMessage) == 0


def test_a_mail_failure_is_shown_and_retried(make_app, registry):
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=1,
                   SMTP_SECURITY="none")
    client = sign_in(app.test_client(), activated_user(app, "13900000024", "180312600024"))
    assert ask(client).status_code == 302
    run_pending(app)
    with app.app_context():
        row = db.session.execute(db.select(CertificateRequest)).scalar_one()
        assert row.status == "failed" and row.error
        from models import OutboxJob
        job = db.session.execute(db.select(OutboxJob).filter_by(
            func="certificates.issue")).scalar_one()
        assert job.status == "pending"  # the outbox tries again later
    assert "发送失败" in client.get("/h5/certificates/").get_data(as_text=True)
