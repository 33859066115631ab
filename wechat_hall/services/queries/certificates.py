"""电子凭证 (Q-8): request, render, sign and mail a certificate of Q-2, Q-3 or Q-4.

The request is checked and counted in the web request (the user's own account, a date in
the last three years, the ID number re-entered, a valid e-mail, at most 5 a day); the
PDF is made by the job ``certificates.issue`` after the commit: it reads the ledger as of
the requested date, renders (adapters/certificate_pdf.py), signs with the configured
certificate (adapters/pdf_signer.py) and mails the file as an attachment.
"""
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from models import CertificateQuota, CertificateRequest
from models.certificates import CHANGES, FAILED, FREEZES, HOLDINGS, KINDS, PENDING, SENT
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import effects, job, submit
from wechat_hall.masking import mask_id_number
from wechat_hall.services.accounts import id_numbers

from . import holdings
from . import scope as query_scope
from .scope import QueryError

log = logging.getLogger(__name__)

DAILY_LIMIT = 5
YEARS = 3
EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_code():
    """16 characters (80 bits), printed as XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalize_code(text):
    raw = re.sub(r"[^A-Za-z0-9]", "", text or "").upper()
    if len(raw) != 16:
        return None
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def used_today(user):
    row = db.session.execute(db.select(CertificateQuota.used).filter_by(
        user_id=user.id, day=clock.today())).scalar_one_or_none()
    return row or 0


def _take_quota(user):
    """One of today's 5 requests, with a conditional UPDATE (no race lets a 6th through)."""
    day = clock.today()
    for _ in range(2):
        taken = db.session.execute(
            update(CertificateQuota)
            .where(CertificateQuota.user_id == user.id, CertificateQuota.day == day,
                   CertificateQuota.used < DAILY_LIMIT)
            .values(used=CertificateQuota.used + 1)).rowcount
        if taken:
            return
        exists = db.session.execute(db.select(CertificateQuota.id).filter_by(
            user_id=user.id, day=day)).first()
        if exists:
            raise QueryError(f"您今天已申请{DAILY_LIMIT}次电子凭证，已达单日上限，请明天再试")
        try:
            with db.session.begin_nested():
                db.session.add(CertificateQuota(user_id=user.id, day=day, used=1))
            return
        except IntegrityError:  # another request made today's row first: count on it
            continue
    raise QueryError("申请过于频繁，请稍后再试")


@dataclass
class Ask:
    kind: str
    account: str  # account number or ""
    market: str
    date_from: object
    date_to: object
    email: str
    id_number: str


def request_certificate(user, ask: Ask):
    """Check everything, take a daily quota, store the request and queue its job.
    Raises QueryError (with the field) and writes nothing on any refusal."""
    if ask.kind not in KINDS:
        raise QueryError("请选择电子凭证类型", "kind")
    scope = query_scope.scope_for(user, ask.account or None, ask.market or None)
    if not scope.accounts:
        raise QueryError("所选交易市场下没有您的证券账户", "market")
    if ask.kind == CHANGES:
        start, end = query_scope.check_range(ask.date_from, ask.date_to, YEARS)
    else:  # any day: on a holiday the balance is the last trading day's
        start = end = query_scope.check_date(ask.date_from, YEARS, "date")
    email = (ask.email or "").strip()
    if not EMAIL.match(email) or len(email) > 254:
        raise QueryError("请输入正确的电子邮箱", "email")
    investor = user.investor
    try:
        typed = id_numbers.normalize_id_number(ask.id_number)
    except Exception:  # noqa: BLE001 - any malformed input is simply "wrong"
        typed = ""
    if not typed or typed != investor.id_number:
        raise QueryError("证件号码与一码通登记信息不一致", "id_number")
    _take_quota(user)
    account = scope.accounts[0] if ask.account else None
    row = CertificateRequest(
        user_id=user.id, kind=ask.kind, account=account, market=ask.market or None,
        date_from=start, date_to=end, email=email, status=PENDING, code=new_code(),
        holder_name=investor.name, ymt_number=user.ymt_account.number)
    db.session.add(row)
    db.session.flush()
    submit("certificates.issue", {"request_id": row.id})
    return row


def requests_of(user, limit=50):
    return db.session.execute(
        db.select(CertificateRequest).filter_by(user_id=user.id)
        .order_by(CertificateRequest.id.desc()).limit(limit)).scalars().all()


def find_by_code(text):
    code = normalize_code(text)
    if code is None:
        return None
    return db.session.execute(db.select(CertificateRequest).filter_by(code=code)
                              ).scalar_one_or_none()


# -- the document -------------------------------------------------------------------

def _scope_of(request):
    from models import HallUser
    user = db.session.get(HallUser, request.user_id)
    accounts = query_scope.user_accounts(user)
    if request.account_id:
        accounts = [a for a in accounts if a.id == request.account_id]
    if request.market:
        accounts = [a for a in accounts if a.market == request.market]
    return query_scope.Scope(accounts), user


def document_of(request):
    """The certificate's content: title, header lines, column names and rows."""
    from wechat_hall.adapters.certificate_pdf import Document
    scope, user = _scope_of(request)
    accounts = "、".join(f"{a.number}（{a.short_label}）" for a in scope.accounts) or "—"
    header = [("持有人名称", request.holder_name),
              ("证件号码", mask_id_number(user.investor.id_number) if user else ""),
              ("一码通账户", request.ymt_number), ("证券账户", accounts)]
    if request.kind == HOLDINGS:
        header.append(("查询日期", f"{request.date_from:%Y-%m-%d} 日终"))
        # The seed's columns exactly; each account's rows under a line naming it.
        columns = ["序号", "证券代码", "证券简称", "持仓", "冻结", "托管单元名称", "证券类别",
                   "流通类型", "权益类别", "挂牌年份", "权益次数", "股份性质"]
        rows, current = [], None
        for i, r in enumerate(holdings.holdings_at(scope, request.date_from), 1):
            if r.account.id != current:
                current = r.account.id
                rows.append([f"证券账户 {r.account.number}（{r.account.short_label}）"])
            rows.append([str(i), r.security.code, r.security.name,
                         f"{r.quantity:,}{r.security.unit}", f"{r.frozen:,}", r.unit.name,
                         r.zqlb_label, r.ltlx_label, r.qylb_label, str(r.gpnf or "—"),
                         str(r.qycs or "—"), r.gfxz])
    elif request.kind == CHANGES:
        header.append(("查询期间", f"{request.date_from:%Y-%m-%d} 至 {request.date_to:%Y-%m-%d}"))
        columns = ["序号", "变更日期", "证券账户", "证券代码", "证券简称", "变更数量",
                   "变更后余额", "变更摘要", "托管单元名称"]
        found, _ = holdings.changes_between(scope, request.date_from, request.date_to)
        rows = [[str(i), f"{c.change.trade_date:%Y-%m-%d}", c.change.account.number,
                 c.change.security.code, c.change.security.name, f"{c.change.quantity:+,}",
                 f"{c.balance_after:,}", c.change.kind_label, c.change.unit.name]
                for i, c in enumerate(found, 1)]
    else:
        header.append(("查询日期", f"{request.date_from:%Y-%m-%d} 日终"))
        columns = ["序号", "证券账户", "证券代码", "证券简称", "冻结数量", "冻结类型",
                   "起始日期", "到期日期", "冻结机关/质权人", "托管单元名称"]
        rows = [[str(i), f.account.number, f.security.code, f.security.name,
                 f"{f.quantity:,}{f.security.unit}", f.kind_label, f"{f.start_date:%Y-%m-%d}",
                 f"{f.end_date:%Y-%m-%d}" if f.end_date else "—", f.authority, f.unit.name]
                for i, f in enumerate(holdings.freezes_at(scope, request.date_from), 1)]
    return Document(title=f"{KINDS[request.kind]}电子凭证", header=header, columns=columns,
                    rows=rows, count=sum(1 for row in rows if len(row) > 1), code=request.code, issued_at=request.issued_at,
                    verify_url=_verify_url())


def _verify_url():
    from wechat_hall.urls import public_url
    return public_url("certificates.verify")


def render_signed(request):
    """(signed PDF bytes, row count)."""
    from wechat_hall.adapters import certificate_pdf, pdf_signer
    document = document_of(request)
    pdf = certificate_pdf.render(document)
    return pdf_signer.sign(pdf, current_app.config), document.count


@job("certificates.issue")
def issue(payload, job_id=None):
    """Render, sign and mail one certificate. Idempotent: a sent request is left alone,
    and the mail is an effect recorded once under ``certificate-mail:<id>`` (with the
    PDF's hash and row count), so a job taken up again after its worker died finishes
    without a second PDF or e-mail. A failure is written on the request (the page shows
    it) and raised again so the outbox retries with back-off; the runner commits the
    success with the job's mark."""
    request = db.session.get(CertificateRequest, payload["request_id"])
    if request is None or request.status == SENT:
        return "skipped"
    try:
        sent = effects.once(f"certificate-mail:{request.id}", lambda: _render_and_mail(request))
        _test_delay()
    except Exception as exc:
        log.exception("certificate %s failed", payload["request_id"])
        db.session.rollback()
        request = db.session.get(CertificateRequest, payload["request_id"])
        request.status, request.error = FAILED, str(exc)[:255] or type(exc).__name__
        db.session.commit()
        raise
    request = db.session.get(CertificateRequest, payload["request_id"])
    request.issued_at = request.issued_at or datetime.fromisoformat(sent["issued_at"])
    request.status, request.error = SENT, None
    request.row_count, request.pdf_sha256 = sent["count"], sent["sha256"]
    request.sent_at = clock.utcnow()
    return "sent"


def _render_and_mail(request):
    from wechat_hall.adapters.mailer import BACKENDS
    request.issued_at = request.issued_at or clock.utcnow()
    pdf, count = render_signed(request)
    mailer = BACKENDS[current_app.config["MAIL_BACKEND"]](current_app.config)
    filename = f"电子凭证-{request.code}.pdf"
    mailer.send(request.email, f"中国结算电子凭证：{request.kind_label}",
                _mail_body(request), [(filename, "application/pdf", pdf)],
                message_id=f"certificate-{request.code}")
    return {"sha256": hashlib.sha256(pdf).hexdigest(), "count": count,
            "issued_at": request.issued_at.isoformat()}


def _test_delay():
    """CERT_ISSUE_TEST_DELAY (seconds, 0 by default; refused in production): the fault
    test's window to kill a worker after the mail and before the job's end."""
    delay = float(current_app.config.get("CERT_ISSUE_TEST_DELAY") or 0)
    if delay > 0:
        time.sleep(delay)


def _mail_body(request):
    return (f"尊敬的投资者：\n\n附件为您申请的{request.kind_label}电子凭证（PDF，含电子签名）。\n"
            f"凭证验证码：{request.code}\n"
            f"可在 {_verify_url()} 输入验证码核验凭证的真实性。\n\n中国证券登记结算有限责任公司")


def retry(user, request_id):
    """Queue a failed request again (it used its quota already)."""
    row = db.session.get(CertificateRequest, request_id)
    if row is None or row.user_id != user.id or row.status != FAILED:
        raise QueryError("该申请不可重新发送")
    row.status, row.error = PENDING, None
    submit("certificates.issue", {"request_id": row.id})
    return row


__all__ = ["HOLDINGS", "CHANGES", "FREEZES", "request_certificate", "issue"]
