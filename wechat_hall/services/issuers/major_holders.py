"""ISS-3, the computation: holders of 5 % or more of a share and their daily changes.

Every trading day after the close, for each A/B share on the ledger: the holders merged
as T3 (普通账户 and 信用账户 together, 一码通 then 证件类别 + 证件号码 + 名称) whose shares
are at least 5 % of the total on the ledger that day, compared with the same list of the
previous trading day (national calendar). A change is any of (seed 002): 持股数量, 持股
比例 (four decimals of a per cent), 持股状态 (frozen or pledged shares), or a holder
crossing 5 % either way; a holder below 5 % on both days is no change. The day's list
(``MajorHolderDay``) and changes (``MajorHolderChange``) are stored once per security and
day (``MajorHolderRun`` is unique): the pages and the next morning's SMS read them.

Both days are computed from the ledger, which answers any past day exactly, so a missed
day or a late import of the ledger is recomputed the same way.
"""
from dataclasses import dataclass
from datetime import time

from flask import current_app
from sqlalchemy.exc import IntegrityError

from models import MajorHolderChange, MajorHolderDay, MajorHolderRun, Security
from models.issuers import ENTERED, LEFT, QUANTITY, RATIO, STATUS
from models.securities import B_STOCK, PREFERRED, STOCK
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic
from wechat_hall.services.queries import trading_days

from . import ledger
from .registers import ratio

SHARE_KINDS = (STOCK, B_STOCK, PREFERRED)
AFTER_CLOSE = time(15, 30)  # Shanghai: the day's ledger is complete


@dataclass(frozen=True)
class Holder:
    key: str
    name: str
    id_type: str
    id_number: str
    quantity: int
    ratio: object
    frozen: int
    pledged: int

    @property
    def status(self):
        return f"冻结{self.frozen:,}股，质押{self.pledged:,}股"


def holders_at(security_id, day):
    """{holder key: Holder} of the holders of at least 5 % at the end of ``day``, and the
    total shares."""
    total = ledger.total_shares(security_id, day)
    if total <= 0:
        return {}, total
    threshold = -(-total // 20)  # quantity * 20 >= total, in integers
    freezes = ledger.merged_freezes(security_id, day, merge_credit=True)
    found = {}
    for r in ledger.merged_rows(security_id, day, merge_credit=True, min_quantity=threshold):
        frozen, pledged = freezes.get(r.investor_id, (0, 0))
        key = f"{r.id_type}|{r.id_number}|{r.name}"
        found[key] = Holder(key, r.name, r.id_type, r.id_number, int(r.quantity),
                            ratio(int(r.quantity), total), frozen, pledged)
    return found, total


def compare(before, after):
    """[(key, name, kind, before, after)] from yesterday's to today's 5 % holders."""
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None:
            changes.append((key, new.name, ENTERED, "", f"{new.quantity:,}股（{new.ratio}%）"))
            continue
        if new is None:
            changes.append((key, old.name, LEFT, f"{old.quantity:,}股（{old.ratio}%）", ""))
            continue
        if old.quantity != new.quantity:
            changes.append((key, new.name, QUANTITY, f"{old.quantity:,}", f"{new.quantity:,}"))
        if old.ratio != new.ratio:
            changes.append((key, new.name, RATIO, f"{old.ratio}%", f"{new.ratio}%"))
        if (old.frozen, old.pledged) != (new.frozen, new.pledged):
            changes.append((key, new.name, STATUS, old.status, new.status))
    return changes


def run_day(security, day):
    """Compute and store one security's day (once; an existing run is returned as is).
    The caller commits."""
    done = db.session.execute(db.select(MajorHolderRun).filter_by(
        security_id=security.id, day=day)).scalar_one_or_none()
    if done is not None:
        return done
    previous = trading_days.previous_trading_day(day, inclusive=False)
    before, _ = holders_at(security.id, previous)
    after, total = holders_at(security.id, day)
    changes = compare(before, after)
    for h in after.values():
        db.session.add(MajorHolderDay(
            security_id=security.id, day=day, holder_key=h.key[:200], name=h.name,
            id_type=h.id_type, id_number=h.id_number, quantity=h.quantity, ratio=h.ratio,
            frozen=h.frozen, pledged=h.pledged))
    for key, name, kind, old, new in changes:
        db.session.add(MajorHolderChange(security_id=security.id, day=day, holder_key=key[:200],
                                         name=name, kind=kind, before=old, after=new))
    run = MajorHolderRun(security_id=security.id, day=day, previous_day=previous,
                         total_shares=total, holders=len(after), changes=len(changes))
    db.session.add(run)
    db.session.flush()
    return run


def share_securities():
    return db.session.execute(db.select(Security).where(Security.kind.in_(SHARE_KINDS))
                              .order_by(Security.market, Security.code)).scalars().all()


def run_all(day):
    """Every A/B share's run of ``day`` (already-done ones as they were). Caller commits."""
    return [run_day(security, day) for security in share_securities()]


def changes_for(security, day):
    """每日持股变化明细 of a security (a Security or its id) on a trading day."""
    security_id = getattr(security, "id", security)
    return db.session.execute(
        db.select(MajorHolderChange).filter_by(security_id=security_id, day=day)
        .order_by(MajorHolderChange.id)).scalars().all()


def holders_for(security, day):
    """每日持股5%以上股东名单 of a security on a trading day, largest first."""
    security_id = getattr(security, "id", security)
    return db.session.execute(
        db.select(MajorHolderDay).filter_by(security_id=security_id, day=day)
        .order_by(MajorHolderDay.quantity.desc(), MajorHolderDay.holder_key)).scalars().all()


@periodic("issuers.major_holders", 600)
def daily_run():
    """After the close of a trading day, compute the day once for every share."""
    now = clock.local_now()
    day = now.date()
    if now.time() < AFTER_CLOSE or not trading_days.is_trading_day(day):
        return
    for security in share_securities():
        try:
            run_day(security, day)
            db.session.commit()
        except IntegrityError:  # another scheduler stored it first
            db.session.rollback()
            current_app.logger.info("major holders of %s on %s already stored", security, day)
