"""T4, T5 and T6 (ISS-1): the special accounts of the register, per underlying investor.

* T4 证券公司约定购回专用账户明细: each agreement in effect at the end of the record date
  (started, not yet bought back), with the special account's holding on the ledger.
* T5 融资融券和转融通担保证券账户明细: every account linked to a collateral account that
  holds the security (investors' 信用证券账户, brokers' 担保证券明细账户), with the
  collateral account's total — the same shares T1 shows under the collateral account.
* T6 债券回购质押专用账户明细: each repo pledge in effect, with the 质押专用账户's holding.
"""
from sqlalchemy import func, or_, select

from models import (
    CollateralAccount,
    CollateralLink,
    HolderProfile,
    HoldingChange,
    Investor,
    RepoPledge,
    RepurchaseAgreement,
    SecuritiesAccount,
    YmtAccount,
)
from models.issuers import MARGIN
from wechat_hall.extensions import db

from .ledger import HOLDER_COLUMNS, account_balances

COLLATERAL_SHORT = {MARGIN: "融资融券", "csf": "转融通"}


def holders_of(account_ids):
    """{account id: row (number + HOLDER_COLUMNS)} for some accounts."""
    if not account_ids:
        return {}
    rows = db.session.execute(
        select(SecuritiesAccount.id, SecuritiesAccount.number, *HOLDER_COLUMNS)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .join(Investor, Investor.id == YmtAccount.investor_id)
        .outerjoin(HolderProfile, HolderProfile.investor_id == Investor.id)
        .where(SecuritiesAccount.id.in_(list(account_ids))))
    return {row.id: row for row in rows}


def _ymd(day):
    return f"{day:%Y%m%d}" if day else ""


def _t4(req, holder_cells):
    sid, day = req.security.id, req.record_date
    agreements = db.session.execute(
        select(RepurchaseAgreement)
        .where(RepurchaseAgreement.security_id == sid, RepurchaseAgreement.start_date <= day,
               or_(RepurchaseAgreement.settled_on.is_(None),
                   RepurchaseAgreement.settled_on > day))
        .order_by(RepurchaseAgreement.special_account_id, RepurchaseAgreement.start_date,
                  RepurchaseAgreement.id)).scalars().all()
    specials = {a.special_account_id for a in agreements}
    people = holders_of(specials | {a.investor_account_id for a in agreements})
    held = account_balances(sid, day, specials)
    for a in agreements:
        special, investor = people[a.special_account_id], people[a.investor_account_id]
        yield [req.security.code, special.number, special.name, held.get(special.id, 0),
               investor.number, *holder_cells(investor), a.quantity, _ymd(a.start_date),
               _ymd(a.due_date)]


def _t5(req, holder_cells):
    sid, day = req.security.id, req.record_date
    quantity = func.sum(HoldingChange.quantity)
    linked = db.session.execute(
        select(CollateralLink.collateral_account_id, HoldingChange.account_id, quantity)
        .join(CollateralLink, CollateralLink.account_id == HoldingChange.account_id)
        .where(HoldingChange.security_id == sid, HoldingChange.trade_date <= day)
        .group_by(CollateralLink.collateral_account_id, HoldingChange.account_id)
        .having(quantity != 0)).all()
    totals = {}
    for collateral, _, q in linked:
        totals[collateral] = totals.get(collateral, 0) + int(q)
    kinds = dict(db.session.execute(
        select(CollateralAccount.account_id, CollateralAccount.kind)
        .where(CollateralAccount.account_id.in_(list(totals) or [0]))).all())
    people = holders_of(set(totals) | {account for _, account, _ in linked})
    rows = sorted(linked, key=lambda r: (people[r[0]].number, people[r[1]].number))
    for collateral, account, q in rows:
        owner, holder = people[collateral], people[account]
        yield [req.security.code, owner.number, owner.name,
               COLLATERAL_SHORT.get(kinds.get(collateral, MARGIN), "融资融券"),
               totals[collateral], holder.number, *holder_cells(holder), int(q)]


def _t6(req, holder_cells):
    sid, day = req.security.id, req.record_date
    pledges = db.session.execute(
        select(RepoPledge)
        .where(RepoPledge.security_id == sid, RepoPledge.start_date <= day,
               or_(RepoPledge.released_on.is_(None), RepoPledge.released_on > day))
        .order_by(RepoPledge.pledge_account_id, RepoPledge.start_date, RepoPledge.id)
    ).scalars().all()
    accounts = {p.pledge_account_id for p in pledges}
    people = holders_of(accounts | {p.investor_account_id for p in pledges})
    held = account_balances(sid, day, accounts)
    for p in pledges:
        account, investor = people[p.pledge_account_id], people[p.investor_account_id]
        yield [req.security.code, account.number, account.name, held.get(account.id, 0),
               investor.number, *holder_cells(investor), p.quantity, _ymd(p.start_date)]


ROWS = {"T4": _t4, "T5": _t5, "T6": _t6}
