"""新股配号中签情况 (Q-5) and 放弃认购数据 (Q-7).

The rule of Q-7 (exchanges' 网上发行实施细则): an investor who, within 12 consecutive
months, wins and then fails to pay in full three times (new shares, depositary receipts,
convertible and exchangeable bonds counted together, per market) may not subscribe for
new issues for 6 months (180 calendar days, counting from the day after the third).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from models import IpoSubscription
from models.registry import MARKETS
from wechat_hall import clock
from wechat_hall.extensions import db

from . import trading_days

LIMIT, WINDOW_MONTHS, BAR_DAYS = 3, 12, 180


def subscriptions_between(scope, start: date, end: date):
    ids = scope.account_ids
    if not ids:
        return []
    return db.session.execute(
        db.select(IpoSubscription).where(IpoSubscription.account_id.in_(ids),
                                         IpoSubscription.subscribed_on.between(start, end))
        .order_by(IpoSubscription.subscribed_on.desc(), IpoSubscription.id)).scalars().all()


def abandoned_between(scope, start: date, end: date):
    """Wins not paid in full whose payment day lies in [start, end], newest first."""
    return [s for s in _abandoned(scope.account_ids) if start <= s.pay_date <= end]


def _abandoned(account_ids):
    if not account_ids:
        return []
    rows = db.session.execute(
        db.select(IpoSubscription).where(IpoSubscription.account_id.in_(account_ids),
                                         IpoSubscription.won_quantity >
                                         IpoSubscription.paid_quantity)
        .order_by(IpoSubscription.pay_date.desc(), IpoSubscription.id)).scalars().all()
    return rows


@dataclass
class MarketStatus:
    market: str
    count: int  # abandonments in the 12 months up to today
    barred_until: date | None  # last day of the bar, if barred now

    @property
    def market_label(self):
        return MARKETS.get(self.market, self.market)


def bar_end(pay_dates, today=None):
    """The last day of the current bar, or None: a pure function of the abandonment days
    of one investor in one market (each counted on its payment day)."""
    today = today or clock.today()
    days = sorted(pay_dates)
    end = None
    for i in range(LIMIT - 1, len(days)):
        third, first = days[i], days[i - LIMIT + 1]
        if trading_days.months_after(first, WINDOW_MONTHS) > third:
            start = third + timedelta(days=1)
            candidate = start + timedelta(days=BAR_DAYS - 1)
            if start <= today <= candidate:
                end = candidate if end is None else max(end, candidate)
    return end


def market_status(scope, today=None):
    """Per market of the user's accounts: abandonments in the last 12 months and the bar."""
    today = today or clock.today()
    since = trading_days.months_after(today, -WINDOW_MONTHS)
    by_market = {}
    for sub in _abandoned(scope.account_ids):
        by_market.setdefault(sub.account.market, []).append(sub.pay_date)
    result = []
    for market in sorted({a.market for a in scope.accounts}):
        days = by_market.get(market, [])
        result.append(MarketStatus(market, sum(1 for d in days if since < d <= today),
                                   bar_end(days, today)))
    return result
