"""ISS-5 书面凭证: applied for with the 查询对象 and evidence, reviewed by the desk, made as
a signed PDF (the Q-8 renderer and signer) into the issuer's mailbox.

Kinds (seed 002): 高管人员及关联企业持股及买卖变动情况 (one of the seed's listed reasons
required; holdings at the date and the changes of the period), 股东持股及冻结情况 (holdings
and freezes at the date), 股本结构. The persons are written with the application and never
edited; once the desk has accepted it, a new application naming it (``supplements``) may
only add persons — any already named is refused (只能增加查询对象，不得减少和替换).
"""
import re
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import or_, select

from models import (CertificatePerson, Freeze, HoldingChange,
                    Investor, SecuritiesAccount, WrittenCertificate, YmtAccount)
from models.issuer_certificates import CERTIFICATE_KINDS, INSIDERS, STRUCTURE
from models.issuer_portal import ACCEPTED, DELIVERED, FAILED, REJECTED, SUBMITTED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import job, submit as submit_job
from wechat_hall.masking import mask_id_number
from wechat_hall.services.queries import trading_days

from . import attachments, contacts, fees, ledger, mailbox, portal_hours, self_service
from .applications import ApplicationRefused, _clean

INSIDER_REASONS = ["上市公司重大资产重组", "上市公司重大资产出售", "上市公司实施收购",
                   "上市公司实施高送转", "上市公司实施股权激励计划",
                   "证监会或证监局或交易所书面要求上市公司申请查询的",
                   "大股东持股变更需要编制权益变动报告书的", "上市公司回购社会公众股",
                   "我公司认为属于上市公司重大事项准予申请的其他情形"]
MAX_PERSONS = 200
ID_RE = re.compile(r"^[0-9A-Za-z]{5,40}$")
ACCOUNT_RE = re.compile(r"^[A-Z][0-9]{9}$")


@dataclass
class Ask:
    code: str = ""
    kind: str = ""
    reason: str = ""
    as_of: str = ""
    period_start: str = ""
    persons: str = ""
    supplements: str = ""
    note: str = ""


def _day(text, what, trading=True):
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ApplicationRefused(f"{what}应为 YYYY-MM-DD 格式的日期") from None
    if day > clock.today():
        raise ApplicationRefused(f"{what} {day} 晚于今天")
    if trading and not trading_days.is_trading_day(day):
        raise ApplicationRefused(f"{what} {day} 不是交易日")
    return day


def parse_persons(text):
    """[(name, id number, account)] from lines “姓名,证件号码[,证券账户]”."""
    found, seen = [], set()
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,，\t]", line)]
        if len(parts) not in (2, 3):
            raise ApplicationRefused(f"查询对象第{n}行应为“姓名/名称,证件号码[,证券账户]”")
        name, id_number, account = parts[0], parts[1].upper(), (parts[2] if len(parts) == 3
                                                                 else "").upper()
        if not name or len(name) > 80 or "\x00" in name:
            raise ApplicationRefused(f"查询对象第{n}行的姓名/名称无效")
        if not ID_RE.match(id_number):
            raise ApplicationRefused(f"查询对象第{n}行的证件号码无效")
        if account and not ACCOUNT_RE.match(account):
            raise ApplicationRefused(f"查询对象第{n}行的证券账户应为1位字母加9位数字")
        key = (name, id_number)
        if key in seen:
            raise ApplicationRefused(f"查询对象第{n}行与前面重复")
        seen.add(key)
        found.append((name, id_number, account))
    if len(found) > MAX_PERSONS:
        raise ApplicationRefused(f"查询对象最多{MAX_PERSONS}个，请分次申请")
    return found


def _named_before(original):
    """Every (name, id number) of an accepted application and its supplements."""
    ids = [original.id] + list(db.session.execute(select(WrittenCertificate.id).filter_by(
        supplements_id=original.id)).scalars())
    return set(db.session.execute(select(CertificatePerson.name, CertificatePerson.id_number)
                                  .where(CertificatePerson.certificate_id.in_(ids))).all())


def submit(contact, ask, files):
    """Store an application (committed), or ApplicationRefused with nothing written."""
    closed = portal_hours.applications_closed() or fees.refusal(contact.issuer_id)
    if closed:
        raise ApplicationRefused(closed)
    security = contacts.own_security(contact.issuer_id, _clean(ask.code, 6, "证券代码"))
    if security is None:
        raise ApplicationRefused("请选择贵公司的证券代码")
    if ask.kind not in CERTIFICATE_KINDS:
        raise ApplicationRefused("请选择书面凭证种类")
    reason = _clean(ask.reason, 60, "申请原因")
    if ask.kind == INSIDERS and reason not in INSIDER_REASONS:
        raise ApplicationRefused("高管人员及关联企业持股及买卖变动情况查询须选择所列申请原因之一")
    as_of = _day(ask.as_of, "查询日期")
    start = None
    if ask.kind == INSIDERS:
        start = _day(ask.period_start, "买卖变动起始日期", trading=False)
        if start > as_of:
            raise ApplicationRefused("买卖变动起始日期不能晚于查询日期")
    persons = parse_persons(ask.persons) if ask.kind != STRUCTURE else []
    if ask.kind != STRUCTURE and not persons:
        raise ApplicationRefused("请填写查询对象（每行：姓名/名称,证件号码[,证券账户]）")
    original = None
    if (ask.supplements or "").strip():
        raw = ask.supplements.strip()
        original = db.session.get(WrittenCertificate, int(raw)) if raw.isdigit() and \
            len(raw) < 10 else None
        if original is None or original.issuer_id != contact.issuer_id:
            raise ApplicationRefused(f"原申请“{raw[:10]}”不存在")
        if original.status not in (ACCEPTED, DELIVERED) or original.kind != ask.kind or \
                original.security_id != security.id:
            raise ApplicationRefused("只能补充已受理的同一证券、同一种类的书面凭证申请")
        again = _named_before(original) & {(n, i) for n, i, _ in persons}
        if again:
            raise ApplicationRefused(f"“{sorted(again)[0][0]}”已在原申请的查询对象中：补充申请"
                                     "只能增加查询对象，不得减少和替换")
    if not files:
        raise ApplicationRefused("请上传证明材料（公告、监管部门批文或函件、盖章的情况说明）")
    checked = []
    for name, data in files[:attachments.MAX_FILES + 1]:
        try:
            checked.append((*attachments.check(name, data), data))
        except attachments.AttachmentRefused as exc:
            raise ApplicationRefused(str(exc)) from None
    if len(checked) > attachments.MAX_FILES:
        raise ApplicationRefused(f"附件最多{attachments.MAX_FILES}个")
    row = WrittenCertificate(issuer_id=contact.issuer_id, contact_id=contact.id,
                             security_id=security.id, kind=ask.kind, reason=reason,
                             as_of=as_of, period_start=start,
                             supplements_id=original.id if original else None,
                             note=_clean(ask.note, 500, "情况说明"),
                             code=secrets.token_hex(6).upper())
    db.session.add(row)
    db.session.flush()
    for name, id_number, account in persons:
        db.session.add(CertificatePerson(certificate_id=row.id, name=name, id_number=id_number,
                                         account=account))
    attachments.store(checked, certificate_id=row.id)
    db.session.commit()
    return row


def of_issuer(issuer_id):
    return db.session.execute(select(WrittenCertificate).filter_by(issuer_id=issuer_id)
                              .order_by(WrittenCertificate.id.desc())).scalars().all()


def for_desk():
    return db.session.execute(select(WrittenCertificate)
                              .order_by(WrittenCertificate.id.desc()).limit(300)).scalars().all()


def review(row, staff, accept, reason=""):
    """形式审核 (committed); accepting queues the PDF."""
    if not accept:
        reason = _clean(reason, 200, "驳回原因")
        if not reason:
            raise ApplicationRefused("请填写驳回原因")
    done = db.session.execute(
        db.update(WrittenCertificate).where(WrittenCertificate.id == row.id,
                                            WrittenCertificate.status == SUBMITTED)
        .values(status=ACCEPTED if accept else REJECTED, reject_reason=reason,
                reviewed_by_id=staff.id, reviewed_at=clock.utcnow()))
    if done.rowcount != 1:
        db.session.rollback()
        raise ApplicationRefused("该申请已审核，不能重复审核")
    if accept:
        submit_job("issuers.deliver_certificate", {"certificate_id": row.id},
                   dedup_key=f"issuer-certificate:{row.id}")
    db.session.commit()


def _accounts_of(security, person):
    """The person's accounts (those of the investor with that name and number)."""
    query = (select(SecuritiesAccount)
             .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
             .join(Investor, Investor.id == YmtAccount.investor_id)
             .where(Investor.name == person.name, Investor.id_number == person.id_number))
    if person.account:
        query = query.where(SecuritiesAccount.number == person.account)
    return db.session.execute(query.order_by(SecuritiesAccount.number)).scalars().all()


def _frozen(security, account_ids, day):
    rows = db.session.execute(select(Freeze).where(
        Freeze.security_id == security.id, Freeze.account_id.in_(account_ids or [0]),
        Freeze.start_date <= day, or_(Freeze.end_date.is_(None), Freeze.end_date >= day),
        or_(Freeze.released_on.is_(None), Freeze.released_on > day))).scalars().all()
    return sum(f.quantity for f in rows if f.kind != "pledge"), \
        sum(f.quantity for f in rows if f.kind == "pledge")


def document_of(row):
    """The certificate's content for ``certificate_pdf.render``."""
    from wechat_hall.adapters.certificate_pdf import Document
    security, day = row.security, row.as_of
    header = [("发行人", row.issuer.name), ("证券", f"{security.code} {security.name}"),
              ("查询日期", f"{day:%Y-%m-%d} 日终")]
    if row.reason:
        header.append(("申请原因", row.reason))
    if row.kind == STRUCTURE:
        s = self_service.share_structure(security, day)
        columns = ["股份类别", "数量（股）", "占总股本(%)"]
        rows = [[f"{xx} {label}", f"{q:,}", str(r)] for xx, label, q, r in s["rows"]]
        rows.append(["03 总股本", f"{s['total']:,}", "100.0000"])
        count = len(rows)
    else:
        total = ledger.total_shares(security.id, day)
        columns = ["序号", "姓名/名称", "证件号码", "证券账户", "持有数量", "持股比例(%)",
                   "冻结数量", "质押数量"]
        rows, changes = [], []
        for i, person in enumerate(row.persons, 1):
            accounts = _accounts_of(security, person)
            ids = [a.id for a in accounts]
            held = sum(ledger.account_balances(security.id, day, ids).values())
            frozen, pledged = _frozen(security, ids, day)
            rows.append([str(i), person.name, mask_id_number(person.id_number),
                         "、".join(a.number for a in accounts) or "未开户或无持有",
                         f"{held:,}", str(self_service.ratio(held, total)), f"{frozen:,}",
                         f"{pledged:,}"])
            if row.kind == INSIDERS and ids:
                changes += [(person.name, c) for c in db.session.execute(
                    select(HoldingChange).where(
                        HoldingChange.security_id == security.id,
                        HoldingChange.account_id.in_(ids),
                        HoldingChange.trade_date >= row.period_start,
                        HoldingChange.trade_date <= day).order_by(
                        HoldingChange.trade_date, HoldingChange.id)).scalars()]
        count = len(rows)
        if row.kind == INSIDERS:
            header.append(("买卖变动期间", f"{row.period_start:%Y-%m-%d} 至 {day:%Y-%m-%d}"))
            rows.append([f"买卖变动明细（{len(changes)} 笔）"])
            rows += [["", name, c.trade_date.isoformat(), c.account.number, f"{c.quantity:+,}",
                      c.kind_label, "", ""] for name, c in changes]
    return Document(title=f"{CERTIFICATE_KINDS[row.kind]}证明", header=header,
                    columns=columns, rows=rows, count=count, code=row.code,
                    issued_at=clock.utcnow(),
                    verify_url=current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/issuer/")


@job("issuers.deliver_certificate")
def deliver_certificate(payload, job_id=None):
    """Render, sign and put the PDF into the mailbox (once: ``push_key``)."""
    from wechat_hall.adapters import certificate_pdf, pdf_signer
    row = db.session.get(WrittenCertificate, int(payload["certificate_id"]))
    if row is None or row.status != ACCEPTED:
        return "skipped"
    try:
        pdf = pdf_signer.sign(certificate_pdf.render(document_of(row)), current_app.config)
        name = f"sm{row.security.code}{row.kind[:3]}{row.as_of:%Y%m%d}-{row.id}.pdf"
        mailbox.deliver_file(row.issuer_id, row.security_id, "C", name, pdf, row.as_of,
                             source="certificate", push_key=f"certificate:{row.id}")
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(WrittenCertificate, int(payload["certificate_id"]))
        row.status, row.failure = FAILED, str(exc)[:300] or type(exc).__name__
        db.session.commit()
        raise
    row.status, row.delivered_at = DELIVERED, clock.utcnow()
    db.session.commit()
    return "delivered"
