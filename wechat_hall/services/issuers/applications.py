"""ISS-2: an issuer's application for holder registers, the desk's review, the delivery.

The seed's fields (证券代码, 股权登记日, 名册种类, 前N名数量, 证券类型, 申请原因, 联系人,
联系人电话, 附件) are checked here, all before anything is written; refused while the fee
balance is below zero (ISS-6) or outside the hours. 召开股东大会 needs T1 and T5 and should
be applied for 5 working days before the meeting: later is accepted with a warning the
desk sees. An accepted application becomes an outbox job that writes each register into
the mailbox (``mailbox.deliver``).
"""
import re
from dataclasses import dataclass
from datetime import date

from models import IssuerApplication, MailboxItem
from models.issuer_portal import ACCEPTED, DELIVERED, FAILED, REJECTED, SUBMITTED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import job, submit as submit_job
from wechat_hall.services.queries import trading_days

from . import attachments, contacts, fees, ledger, mailbox, portal_hours, registers

MEETING = "召开股东大会"
REASONS = [MEETING, "证券交易异常变动", "定期报告披露股份变动及股东情况", "筹划重大资产重组",
           "监管部门要求核查持有人名册", "红利业务涉及的股息红利缴税", "其他"]
MEETING_KINDS = {"T1", "T5"}
MEETING_LEAD_DAYS = 5
PHONE_RE = re.compile(r"^[0-9+\-() ]{7,20}$")


class ApplicationRefused(ValueError):
    """What is wrong, in Chinese; nothing was written."""


@dataclass
class Draft:
    code: str = ""
    record_date: str = ""
    kinds: tuple = ()
    top: str = ""
    share_class: str = "03"
    reason: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    meeting_date: str = ""
    note: str = ""


def _clean(text, limit, what):
    text = (text or "").strip()
    if "\x00" in text or any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        raise ApplicationRefused(f"{what}含有非法字符")
    if len(text) > limit:
        raise ApplicationRefused(f"{what}不能超过{limit}个字")
    return text


def _meeting(draft, kinds, today):
    """(meeting date, late warning) of a 召开股东大会 application."""
    if not MEETING_KINDS <= set(kinds):
        raise ApplicationRefused("召开股东大会需同时申请 T1 全体名册和 T5 融资融券和转融通担保证券"
                                 "账户明细")
    try:
        meeting = date.fromisoformat((draft.meeting_date or "").strip())
    except ValueError:
        raise ApplicationRefused("召开股东大会请填写股东大会召开日期（YYYY-MM-DD）") from None
    if meeting < today:
        raise ApplicationRefused("股东大会召开日期早于今天")
    ahead = len(list(trading_days.trading_days(date.fromordinal(today.toordinal() + 1), meeting)))
    warning = ""
    if ahead < MEETING_LEAD_DAYS:
        warning = (f"距股东大会召开日 {meeting} 仅 {ahead} 个工作日，少于规定的提前"
                   f"{MEETING_LEAD_DAYS}个工作日，名册可能无法及时送达")
    return meeting, warning


def _has_rows(req):
    """A register with no rows that day is refused now, not after the desk's review."""
    if req.kind in registers.CLASS_KINDS:
        empty = ledger.total_shares(req.security.id, req.record_date, req.xx) <= 0
    else:
        empty = next(iter(registers.rows_of(req)), None) is None
    if empty:
        raise ApplicationRefused(f"{req.security} 在 {req.record_date} 无"
                                 f"{registers.empty_what(req)}，请核对股权登记日")


def check(issuer_id, draft, files):
    """The checked requests, meeting, warning and attachments; ApplicationRefused."""
    closed = portal_hours.applications_closed()
    if closed:
        raise ApplicationRefused(closed)
    owing = fees.refusal(issuer_id)
    if owing:
        raise ApplicationRefused(owing)
    code = _clean(draft.code, 6, "证券代码")
    security = contacts.own_security(issuer_id, code)
    if security is None:
        raise ApplicationRefused(f"证券代码“{code}”不是贵公司的证券，请选择贵公司的证券代码")
    kinds = sorted({(k or "").strip().upper() for k in draft.kinds if (k or "").strip()})
    if not kinds:
        raise ApplicationRefused("请选择名册种类")
    reason = _clean(draft.reason, 40, "申请原因")
    if reason not in REASONS:
        raise ApplicationRefused("请选择申请原因")
    name = _clean(draft.contact_name, 40, "联系人")
    phone = _clean(draft.contact_phone, 20, "联系人电话")
    if not name:
        raise ApplicationRefused("请填写联系人")
    if not PHONE_RE.match(phone):
        raise ApplicationRefused("联系人电话应为7至20位数字（可含 - 和括号）")
    note = _clean(draft.note, 500, "情况说明")
    requests = []
    for kind in kinds:
        top = draft.top if kind in registers.TOP_KINDS else None
        xx = draft.share_class if kind in registers.CLASS_KINDS else None
        try:
            requests.append(registers.check_request(kind, security.code, draft.record_date,
                                                    top=top, xx=xx, market=security.market))
        except registers.RegisterRefused as exc:
            raise ApplicationRefused(str(exc)) from None
        _has_rows(requests[-1])
    meeting, warning = (None, "")
    if reason == MEETING:
        meeting, warning = _meeting(draft, kinds, clock.today())
    if not files:
        raise ApplicationRefused("请上传附件（能佐证申请原因的公告、批文或情况说明）")
    if len(files) > attachments.MAX_FILES:
        raise ApplicationRefused(f"附件最多{attachments.MAX_FILES}个")
    checked = []
    for file_name, data in files:
        try:
            checked.append((*attachments.check(file_name, data), data))
        except attachments.AttachmentRefused as exc:
            raise ApplicationRefused(str(exc)) from None
    return dict(security=security, kinds=kinds, reason=reason, name=name, phone=phone,
                note=note, requests=requests, meeting=meeting, warning=warning,
                files=checked)


def submit(contact, draft, files):
    """Store an application (committed) — 该笔业务申报成功 — or ApplicationRefused."""
    c = check(contact.issuer_id, draft, files)
    first = c["requests"][0]
    top = next((r.top for r in c["requests"] if r.top), None)
    application = IssuerApplication(
        issuer_id=contact.issuer_id, contact_id=contact.id, security_id=c["security"].id,
        record_date=first.record_date, kinds=" ".join(c["kinds"]), top=top,
        share_class=next((r.xx for r in c["requests"]
                          if r.kind in registers.CLASS_KINDS), "03"),
        reason=c["reason"], note=c["note"], contact_name=c["name"],
        contact_phone=c["phone"], meeting_date=c["meeting"], late_warning=c["warning"])
    db.session.add(application)
    db.session.flush()
    attachments.store(c["files"], application_id=application.id)
    db.session.commit()
    return application


def of_issuer(issuer_id):
    return db.session.execute(db.select(IssuerApplication).filter_by(issuer_id=issuer_id)
                              .order_by(IssuerApplication.id.desc())).scalars().all()


def for_desk(status=None):
    query = db.select(IssuerApplication).order_by(IssuerApplication.id.desc())
    if status:
        query = query.filter_by(status=status)
    return db.session.execute(query.limit(300)).scalars().all()


def _claim(application, status, staff):
    """Move a submitted application on, once (a conditional update)."""
    done = db.session.execute(
        db.update(IssuerApplication).where(IssuerApplication.id == application.id,
                                           IssuerApplication.status == SUBMITTED)
        .values(status=status, reviewed_by_id=staff.id, reviewed_at=clock.utcnow()))
    if done.rowcount != 1:
        db.session.rollback()
        raise ApplicationRefused("该申请已审核，不能重复审核")


def accept(application, staff):
    """形式审核通过: the registers are made by a job after the commit."""
    _claim(application, ACCEPTED, staff)
    submit_job("issuers.deliver_application", {"application_id": application.id},
               dedup_key=f"issuer-application:{application.id}")
    db.session.commit()


def reject(application, staff, reason):
    reason = _clean(reason, 200, "驳回原因")
    if not reason:
        raise ApplicationRefused("请填写驳回原因")
    _claim(application, REJECTED, staff)
    db.session.execute(db.update(IssuerApplication).where(
        IssuerApplication.id == application.id).values(reject_reason=reason))
    db.session.commit()


@job("issuers.deliver_application")
def deliver_application(payload, job_id=None):
    """Make every register of an accepted application into the issuer's mailbox. Taken
    up again (a worker died), it makes only the registers not yet delivered."""
    application = db.session.get(IssuerApplication, int(payload["application_id"]))
    if application is None or application.status != ACCEPTED:
        return "skipped"
    done = set(db.session.execute(db.select(MailboxItem.kind).filter_by(
        application_id=application.id)).scalars())
    try:
        for kind in application.kinds.split():
            if kind in done:
                continue
            req = registers.check_request(
                kind, application.security.code, application.record_date.isoformat(),
                top=application.top if kind in registers.TOP_KINDS else None,
                xx=application.share_class if kind in registers.CLASS_KINDS else None,
                market=application.security.market)
            mailbox.deliver(application.issuer_id, req, application_id=application.id)
            db.session.commit()
    except registers.RegisterRefused as exc:
        db.session.rollback()
        application = db.session.get(IssuerApplication, int(payload["application_id"]))
        application.status, application.failure = FAILED, str(exc)[:300]
        db.session.commit()
        return "failed"
    application.status, application.delivered_at = DELIVERED, clock.utcnow()
    db.session.commit()
    return "delivered"
