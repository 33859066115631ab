"""董监高持股 (ISS-4): the issuer's declared directors, supervisors and senior managers,
and what the ledger says they hold — 限售情况, 昨日持有变动, 历史持有变动.

A declared person is matched to the register by 证件类别 + 证件号码; all accounts of that
investor's 一码通 accounts count, credit accounts included (the shares are theirs, as in
T3). A declaration whose number the register does not know is kept and shown as such
(the person may open an account later); the name on the register is shown beside the
declared one, so a mismatch is visible. Holdings are the ledger's, as of the day asked
(the portal asks for yesterday, ``self_service.as_of``).
"""
from datetime import date

from sqlalchemy import case, func, or_, select

from models import HoldingChange, Investor, IssuerInsider, SecuritiesAccount, YmtAccount
from models.issuer_insiders import INSIDER_TITLES
from models.securities import CHANGE_KINDS
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import id_numbers
from wechat_hall.services.errors import Rejected

from . import ledger, portal_hours

MAX_INSIDERS = 200
HISTORY_DAYS = 366  # the longest 历史持有变动 period asked at once


def declared(issuer_id):
    """The issuer's current declarations, by 职务 order then name."""
    rows = db.session.execute(db.select(IssuerInsider).where(
        IssuerInsider.issuer_id == issuer_id, IssuerInsider.removed_at.is_(None))).scalars()
    order = {t: n for n, t in enumerate(INSIDER_TITLES)}
    return sorted(rows, key=lambda r: (order.get(r.title, len(order)), r.name, r.id))


def declare(contact, name, title, id_type, id_number):
    """Declare one person for the contact's issuer (in the self-service hours); Rejected
    with the reason otherwise."""
    _require_hours()
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        raise Rejected("请填写姓名（不超过40个字）。")
    if title not in INSIDER_TITLES:
        raise Rejected("请选择职务。")
    try:
        number = id_numbers.validate_id_number(id_type, id_number)
    except id_numbers.IdNumberError as exc:
        raise Rejected(f"{exc}。") from None
    current = declared(contact.issuer_id)
    if any(r.id_type == id_type and r.id_number == number for r in current):
        raise Rejected("该证件号码已申报为贵公司董监高，如职务变更请先删除原申报。")
    if len(current) >= MAX_INSIDERS:
        raise Rejected(f"董监高申报最多{MAX_INSIDERS}人。")
    row = IssuerInsider(issuer_id=contact.issuer_id, name=name, title=title, id_type=id_type,
                        id_number=number, declared_by_id=contact.id,
                        declared_at=clock.utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def remove(contact, insider_id):
    """End a declaration of the contact's own issuer (another issuer's id: 404)."""
    from .contacts import owned_or_404
    row = owned_or_404(IssuerInsider, insider_id, contact.issuer_id)
    _require_hours()
    if row.removed_at is None:
        row.removed_at = clock.utcnow()
        db.session.commit()
    return row


def _require_hours():
    closed = portal_hours.self_service_closed()
    if closed:
        raise Rejected(closed)


def _accounts(insiders):
    """{insider id: (register name or None, [account ids])} by 证件类别 + 证件号码."""
    if not insiders:
        return {}
    keys = {(r.id_type, r.id_number) for r in insiders}
    rows = db.session.execute(
        select(Investor.id_type, Investor.id_number, Investor.name, SecuritiesAccount.id)
        .join(YmtAccount, YmtAccount.investor_id == Investor.id)
        .join(SecuritiesAccount, SecuritiesAccount.ymt_account_id == YmtAccount.id)
        .where(or_(*[(Investor.id_type == t) & (Investor.id_number == n) for t, n in keys]))
    ).all()
    found = {}
    for id_type, number, name, account_id in rows:
        entry = found.setdefault((id_type, number), [name, []])
        entry[1].append(account_id)
    return {r.id: tuple(found.get((r.id_type, r.id_number), (None, []))) for r in insiders}


def restricted_holdings(issuer_id, security, day):
    """董监高持股限售情况: per declared person, the shares held at the end of ``day``:
    total, 限售 (of which 高管锁定股) and 无限售."""
    insiders = declared(issuer_id)
    accounts = _accounts(insiders)
    every = sorted({a for _, ids in accounts.values() for a in ids})
    sums = {}
    if every:
        restricted = ledger.class_filter("05")
        locked = HoldingChange.ltlx == "F"
        rows = db.session.execute(
            select(HoldingChange.account_id, func.sum(HoldingChange.quantity),
                   func.sum(case((restricted, HoldingChange.quantity), else_=0)),
                   func.sum(case((locked, HoldingChange.quantity), else_=0)))
            .where(HoldingChange.security_id == security.id, HoldingChange.trade_date <= day,
                   HoldingChange.account_id.in_(every))
            .group_by(HoldingChange.account_id)).all()
        sums = {a: (int(t or 0), int(r or 0), int(f or 0)) for a, t, r, f in rows}
    out = []
    for insider in insiders:
        register_name, ids = accounts[insider.id]
        total = sum(sums.get(a, (0, 0, 0))[0] for a in ids)
        restricted_q = sum(sums.get(a, (0, 0, 0))[1] for a in ids)
        locked_q = sum(sums.get(a, (0, 0, 0))[2] for a in ids)
        out.append({"insider": insider, "register_name": register_name,
                    "accounts": len(ids), "total": total, "restricted": restricted_q,
                    "locked": locked_q, "tradable": total - restricted_q})
    return out


def period(start, end, today):
    """The 历史持有变动 period as asked (YYYY-MM-DD strings, empty: this year up to
    ``today``), or Rejected."""
    try:
        first = date.fromisoformat(start) if start else date(today.year, 1, 1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise Rejected("日期应为 YYYY-MM-DD。") from None
    if first > last:
        raise Rejected("起始日期不能晚于截止日期。")
    if last > today:
        raise Rejected(f"截止日期不能晚于{today:%Y-%m-%d}（数据截至上一交易日日终）。")
    if (last - first).days >= HISTORY_DAYS:
        raise Rejected("一次最多查询一年（366天）的持有变动。")
    return first, last


def changes(issuer_id, security, first, last):
    """董监高持有变动 from ``first`` to ``last`` (both included): each ledger row of a
    declared person's accounts, newest first, with the balance after it."""
    insiders = declared(issuer_id)
    accounts = _accounts(insiders)
    owner = {a: r for r in insiders for a in accounts[r.id][1]}
    if not owner:
        return []
    before = dict(db.session.execute(
        select(HoldingChange.account_id, func.sum(HoldingChange.quantity))
        .where(HoldingChange.security_id == security.id, HoldingChange.trade_date < first,
               HoldingChange.account_id.in_(sorted(owner)))
        .group_by(HoldingChange.account_id)).all())
    rows = db.session.execute(
        select(HoldingChange, SecuritiesAccount.number)
        .join(SecuritiesAccount, SecuritiesAccount.id == HoldingChange.account_id)
        .where(HoldingChange.security_id == security.id,
               HoldingChange.trade_date >= first, HoldingChange.trade_date <= last,
               HoldingChange.account_id.in_(sorted(owner)))
        .order_by(HoldingChange.trade_date, HoldingChange.seq, HoldingChange.id)).all()
    balance = {a: int(q or 0) for a, q in before.items()}
    out = []
    for change, number in rows:
        balance[change.account_id] = balance.get(change.account_id, 0) + change.quantity
        out.append({"insider": owner[change.account_id], "account": number,
                    "day": change.trade_date, "kind": CHANGE_KINDS.get(change.kind, change.kind),
                    "quantity": change.quantity, "balance": balance[change.account_id],
                    "restricted": change.zqlb == "XL" or change.ltlx in ledger.RESTRICTED_LTLX})
    out.reverse()
    return out
