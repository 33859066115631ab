"""证券持有余额 (Q-2), 证券持有变更 (Q-3) and 证券冻结情况 (Q-4) from the ledger.

The balance rule: the holding of a position at the end of day D is the sum of its
``HoldingChange.quantity`` with ``trade_date <= D``. Nothing else is stored, so the answer
for any past day is exact by construction (tests/queries/test_ledger_property.py).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_

from models import CustodianUnit, Freeze, HoldingChange, Security
from models.securities import LTLX, QYLB, ZQLB
from wechat_hall.extensions import db

POSITION = (HoldingChange.account_id, HoldingChange.security_id, HoldingChange.unit_id,
            HoldingChange.zqlb, HoldingChange.ltlx, HoldingChange.qylb,
            HoldingChange.gpnf, HoldingChange.qycs, HoldingChange.gfxz)


@dataclass
class HoldingRow:
    account: object
    security: object
    unit: object
    quantity: int
    frozen: int
    zqlb: str
    ltlx: str
    qylb: str
    gpnf: int
    qycs: int
    gfxz: str

    @property
    def zqlb_label(self):
        return ZQLB.get(self.zqlb, self.zqlb)

    @property
    def ltlx_label(self):
        return LTLX.get(self.ltlx, self.ltlx)

    @property
    def qylb_label(self):
        return QYLB.get(self.qylb, self.qylb) or "—"


def balances(account_ids, day: date):
    """{position key: quantity} at the end of ``day`` (zero positions left out)."""
    if not account_ids:
        return {}
    total = func.sum(HoldingChange.quantity)
    rows = db.session.execute(
        db.select(*POSITION, total)
        .where(HoldingChange.account_id.in_(account_ids), HoldingChange.trade_date <= day)
        .group_by(*POSITION).having(total != 0))
    return {tuple(r[:-1]): int(r[-1]) for r in rows}


def freezes_in_effect(account_ids, day: date):
    """Freeze rows in effect at the end of ``day``."""
    if not account_ids:
        return []
    return db.session.execute(
        db.select(Freeze).where(
            Freeze.account_id.in_(account_ids), Freeze.start_date <= day,
            or_(Freeze.end_date.is_(None), Freeze.end_date >= day),
            or_(Freeze.released_on.is_(None), Freeze.released_on > day))
        .order_by(Freeze.start_date, Freeze.id)).scalars().all()


def _lookup(model, ids):
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(
        db.select(model).where(model.id.in_(ids))).scalars()}


def holdings_at(scope, day: date):
    """Q-2 rows: every non-zero position of the scope's accounts at the end of ``day``,
    with the quantity frozen (freezes and pledges in effect) on its first share class."""
    accounts = scope.by_id
    positions = balances(list(accounts), day)
    frozen = {}
    for f in freezes_in_effect(list(accounts), day):
        key = (f.account_id, f.security_id, f.unit_id)
        frozen[key] = frozen.get(key, 0) + f.quantity
    securities = _lookup(Security, {k[1] for k in positions})
    units = _lookup(CustodianUnit, {k[2] for k in positions})
    rows = []
    for key, quantity in positions.items():
        account_id, security_id, unit_id, zqlb, ltlx, qylb, gpnf, qycs, gfxz = key
        rows.append(HoldingRow(accounts[account_id], securities[security_id], units[unit_id],
                               quantity, 0, zqlb, ltlx, qylb, gpnf, qycs, gfxz))
    rows.sort(key=lambda r: (r.account.number, r.security.code, r.unit.code, r.zqlb, r.ltlx,
                             r.qylb, r.gpnf, r.qycs))
    seen = set()
    for row in rows:
        key = (row.account.id, row.security.id, row.unit.id)
        if key in frozen and key not in seen:
            row.frozen = frozen[key]
            seen.add(key)
    return rows


@dataclass
class ChangeRow:
    change: HoldingChange
    balance_after: int


def changes_between(scope, start: date, end: date, offset=0, limit=None):
    """Q-3 rows from ``start`` to ``end`` inclusive, oldest first, each with the balance of
    its (account, security, custodian unit) after it; and the total count.

    Only the requested page is read in full; its balances come from one grouped sum
    before the page's first day plus the rows of the page's positions up to its last
    day (a window function over the whole range was 3-10× slower: docs/BENCHMARKS.md).
    """
    ids = scope.account_ids
    if not ids:
        return [], 0
    in_range = (HoldingChange.account_id.in_(ids), HoldingChange.trade_date >= start,
                HoldingChange.trade_date <= end)
    total = db.session.execute(db.select(func.count(HoldingChange.id)).where(*in_range)
                               ).scalar_one()
    query = (db.select(HoldingChange).where(*in_range)
             .order_by(HoldingChange.trade_date, HoldingChange.seq, HoldingChange.id)
             .offset(offset))
    if limit is not None:
        query = query.limit(limit)
    page = db.session.execute(query).scalars().all()
    if not page:
        return [], total
    positions = {(c.account_id, c.security_id, c.unit_id) for c in page}
    accounts = {p[0] for p in positions}
    securities = {p[1] for p in positions}
    first, last = page[0].trade_date, page[-1].trade_date
    same = (HoldingChange.account_id.in_(accounts), HoldingChange.security_id.in_(securities))
    running = {}
    for a, s, u, qty in db.session.execute(
            db.select(HoldingChange.account_id, HoldingChange.security_id,
                      HoldingChange.unit_id, func.sum(HoldingChange.quantity))
            .where(*same, HoldingChange.trade_date < first)
            .group_by(HoldingChange.account_id, HoldingChange.security_id,
                      HoldingChange.unit_id)):
        if (a, s, u) in positions:
            running[(a, s, u)] = int(qty)
    after = {}
    for row_id, a, s, u, qty in db.session.execute(
            db.select(HoldingChange.id, HoldingChange.account_id, HoldingChange.security_id,
                      HoldingChange.unit_id, HoldingChange.quantity)
            .where(*same, HoldingChange.trade_date >= first, HoldingChange.trade_date <= last)
            .order_by(HoldingChange.trade_date, HoldingChange.seq, HoldingChange.id)):
        if (a, s, u) in positions:
            running[(a, s, u)] = running.get((a, s, u), 0) + qty
            after[row_id] = running[(a, s, u)]
    return [ChangeRow(c, after[c.id]) for c in page], total


def freezes_at(scope, day: date):
    """Q-4 rows: freezes and pledges of the scope's accounts in effect at ``day``."""
    return freezes_in_effect(scope.account_ids, day)


def position_history(account_id, security_id):
    """[(date, net change of the day)] of one account's security, all units together,
    oldest first (the FIFO of Q-6 works on it)."""
    rows = db.session.execute(
        db.select(HoldingChange.trade_date, func.sum(HoldingChange.quantity))
        .where(and_(HoldingChange.account_id == account_id,
                    HoldingChange.security_id == security_id))
        .group_by(HoldingChange.trade_date).order_by(HoldingChange.trade_date))
    return [(d, int(q)) for d, q in rows if q]
