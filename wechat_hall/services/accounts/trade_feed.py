"""交易报盘身份认证 (ACC-8 c): import the brokers' trade feed, match orders to pending
checks.

An order matches a check when all of these hold: same securities account; 证券代码
799991; 买入价格 6.00; the quantity the page gave; a buy (B) or IPO subscription (P);
traded within the check's 15 natural days. A check that lapsed before the feed arrived
still matches an order placed in time: the feed comes the next day, the investor acted
in time. An order matches at most one check, a check at most one order.

`flask tradefeed import FILE` stores the file's identity-check orders (the same order
twice is one row: re-importing a file changes nothing) and queues the matching job.
"""
import logging
from dataclasses import dataclass
from decimal import Decimal

from models import IdentityVerification, SecuritiesAccount, TradeFeedOrder
from models.accounts import EXPIRED, PENDING, TRADE_ORDER
from wechat_hall.adapters.tradefeed import read_orders
from wechat_hall.extensions import db
from wechat_hall.jobs import job, periodic, submit

from . import pending_checks

log = logging.getLogger(__name__)

MATCHING_SIDES = ("B", "P")


@dataclass(frozen=True)
class ImportResult:
    rows: int        # orders in the file
    stored: int      # identity-check orders new to us
    duplicates: int  # identity-check orders already imported
    ignored: int     # other orders (other codes, sells)


def import_file(path):
    """Store the file's 799991 orders; raises adapters.tradefeed.FeedError for a bad file
    (nothing stored). Queues the match job when something new arrived."""
    orders = read_orders(path)
    stored = duplicates = ignored = 0
    seen = set()
    for order in orders:
        if order.security_code != pending_checks.TRADE_SECURITY_CODE:
            ignored += 1
            continue
        key = (order.broker_code, order.order_no, order.trade_date, order.account)
        exists = key in seen or db.session.execute(db.select(TradeFeedOrder.id).filter_by(
            broker_code=order.broker_code, order_no=order.order_no,
            trade_date=order.trade_date, account=order.account)).first()
        if exists:
            duplicates += 1
            continue
        seen.add(key)
        db.session.add(TradeFeedOrder(
            trade_date=order.trade_date, account=order.account,
            security_code=order.security_code, side=order.side, price=order.price,
            quantity=order.quantity, broker_code=order.broker_code, order_no=order.order_no,
            source_file=str(path)[-255:]))
        stored += 1
    if stored:
        submit("tradefeed.match", {})
    db.session.commit()
    log.info("trade feed %s: %d rows, %d new identity orders, %d duplicates",
             path, len(orders), stored, duplicates)
    return ImportResult(len(orders), stored, duplicates, ignored)


def _candidates(order):
    return db.session.execute(
        db.select(IdentityVerification).join(
            SecuritiesAccount, SecuritiesAccount.id == IdentityVerification.securities_account_id)
        .filter(IdentityVerification.method == TRADE_ORDER,
                IdentityVerification.status.in_([PENDING, EXPIRED]),
                IdentityVerification.matched_order_id.is_(None),
                SecuritiesAccount.number == order.account,
                IdentityVerification.trade_quantity == order.quantity)
        .order_by(IdentityVerification.created_at)).scalars().all()


def order_matches(order, check):
    if (order.security_code != pending_checks.TRADE_SECURITY_CODE
            or order.side not in MATCHING_SIDES
            or Decimal(order.price) != Decimal(pending_checks.TRADE_PRICE)
            or order.quantity != check.trade_quantity):
        return False
    first, last, _expires = pending_checks.trade_window(check.created_at)
    return first <= order.trade_date <= last


def match():
    """Match every unmatched order; returns how many checks passed."""
    passed = 0
    orders = db.session.execute(db.select(TradeFeedOrder).filter(
        TradeFeedOrder.matched_at.is_(None)).order_by(TradeFeedOrder.id)).scalars().all()
    for order in orders:
        for check in _candidates(order):
            if order_matches(order, check):
                pending_checks.pass_pending(check, order=order)
                passed += 1
                break
    db.session.commit()
    return passed


@job("tradefeed.match")
def match_job(payload, job_id=None):
    count = match()
    log.info("trade feed matching: %d identity checks passed", count)


@periodic("identity.expire_checks", 3600)
def expire_job():
    pending_checks.expire_overdue()

