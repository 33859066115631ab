"""股息红利个人所得税 (Q-6): the differentiated tax on dividends of listed shares.

财税〔2015〕101号: when a company pays, nothing is withheld; when the shares are sold, the
holding period of the sold shares decides the tax on the dividends they received —
持股期限 ≤ 1 个月 20 %, 1 个月以上至 1 年 10 %, > 1 年 免征. Shares are matched first
in, first out per securities account and security; the holding period runs from the day
the shares were acquired to the day before they were sold. The registrar computes the tax
and the broker deducts it from the investor's funds account (已扣税额).

Computed from the ledger every time (pure :func:`tax_lines`), never stored.
"""
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from models import Dividend, HoldingChange
from wechat_hall import clock
from wechat_hall.extensions import db

from . import holdings, trading_days

TIERS = ((1, Decimal("0.20"), "1个月以内（含）"), (12, Decimal("0.10"), "1个月以上至1年（含）"))
EXEMPT_LABEL = "1年以上"
CENT = Decimal("0.01")


def rate_for(acquired: date, sold: date):
    """(rate, tier label) for shares acquired on ``acquired`` and sold on ``sold``."""
    last_day = sold - timedelta(days=1)
    for months, rate, label in TIERS:
        if last_day <= trading_days.months_after(acquired, months):
            return rate, label
    return Decimal("0"), EXEMPT_LABEL


@dataclass
class TaxLine:
    dividend: object  # anything with record_date and per_share
    quantity: int
    acquired: date
    sold: date | None  # None: still held
    rate: Decimal | None
    tier: str

    @property
    def amount(self):
        return (Decimal(self.quantity) * Decimal(self.dividend.per_share)).quantize(
            CENT, ROUND_HALF_UP)

    @property
    def tax(self):
        if self.rate is None:
            return None
        return (self.amount * self.rate).quantize(CENT, ROUND_HALF_UP)

    @property
    def days_held(self):
        return ((self.sold or clock.today()) - self.acquired).days


def tax_lines(history, dividends, today=None):
    """Lines of (dividend, shares, acquired, sold, rate) for one account's security.

    ``history``: [(date, net change)] oldest first; ``dividends``: objects with
    ``record_date`` and ``per_share``. Shares held at the end of a record date receive the
    dividend; later sales consume the oldest shares first.
    """
    today = today or clock.today()
    lots = deque()  # [acquired, quantity, [dividends received]]
    lines = []
    events = sorted([(d, 0, q) for d, q in history] +
                    [(div.record_date, 1, div) for div in dividends], key=lambda e: (e[0], e[1]))
    for day, is_dividend, what in events:
        if is_dividend:
            for lot in lots:
                lot[2].append(what)
        elif what > 0:
            lots.append([day, what, []])
        else:
            to_sell = -what
            while to_sell and lots:
                lot = lots[0]
                part = min(lot[1], to_sell)
                rate, tier = rate_for(lot[0], day)
                lines += [TaxLine(div, part, lot[0], day, rate, tier) for div in lot[2]]
                lot[1] -= part
                to_sell -= part
                if not lot[1]:
                    lots.popleft()
    for acquired, quantity, received in lots:
        if trading_days.months_after(acquired, 12) < today:
            rate, tier = Decimal("0"), EXEMPT_LABEL + "（持有中）"
        else:
            rate, tier = None, "持有中，转让时计算"
        lines += [TaxLine(div, quantity, acquired, None, rate, tier) for div in received]
    lines.sort(key=lambda line: (line.dividend.record_date, line.acquired))
    return lines


@dataclass
class AccountLine:
    account: object
    security: object
    line: TaxLine


def dividend_tax(scope, start: date, end: date, today=None):
    """Q-6 rows for dividends with a record date in [start, end]."""
    ids = scope.account_ids
    if not ids:
        return []
    pairs = db.session.execute(
        db.select(HoldingChange.account_id, HoldingChange.security_id)
        .where(HoldingChange.account_id.in_(ids)).distinct()).all()
    if not pairs:
        return []
    securities = {p.security_id for p in pairs}
    dividends = {}
    for div in db.session.execute(
            db.select(Dividend).where(Dividend.security_id.in_(securities),
                                      Dividend.record_date.between(start, end))).scalars():
        dividends.setdefault(div.security_id, []).append(div)
    accounts = scope.by_id
    rows = []
    for account_id, security_id in pairs:
        divs = dividends.get(security_id)
        if not divs:
            continue
        history = holdings.position_history(account_id, security_id)
        for line in tax_lines(history, divs, today):
            rows.append(AccountLine(accounts[account_id], line.dividend.security, line))
    rows.sort(key=lambda r: (r.line.dividend.record_date, r.account.number,
                             r.security.code, r.line.acquired), reverse=True)
    return rows


def totals(rows):
    amount = sum((r.line.amount for r in rows), Decimal("0"))
    tax = sum((r.line.tax for r in rows if r.line.tax is not None), Decimal("0"))
    return amount, tax
