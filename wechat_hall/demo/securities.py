"""Demo securities history (Q-2..Q-7): a year of realistic rows for the demo investors.

Securities, custodian units, and for every open demo account an opening position more
than a year old plus about two trades a month, all dated relative to today (Shanghai) so
the one-year window always has rows. 王安 (the first demo identity) gets the designed cases:
dividends sold in each tax tier and one still held, a pledge, a judicial freeze (and a
released one), an IPO win that was paid and listed, lost subscriptions and an abandoned
win; 刘洋 has three abandoned wins within 12 months (barred from subscribing).

Idempotent: an account that already has demo rows is left alone.
"""
import random
from datetime import timedelta
from decimal import Decimal

from models import (
    Broker,
    CustodianUnit,
    Dividend,
    Freeze,
    HoldingChange,
    IpoSubscription,
    SecuritiesAccount,
    Security,
)
from models.registry import A_SHARE, B_SHARE, CLOSED_FUND, CREDIT, NORMAL, SH, SZ
from models.securities import B_STOCK, BOND, CONVERTIBLE, FUND, STOCK
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.queries import trading_days

SOURCE = "demo"

# market, code, name, kind, listed year, price (for realistic lot sizes only)
SECURITIES = [
    (SH, "600036", "招商银行", STOCK, 2002), (SH, "601318", "中国平安", STOCK, 2007),
    (SH, "600900", "长江电力", STOCK, 2003), (SH, "601398", "工商银行", STOCK, 2006),
    (SH, "600519", "贵州茅台", STOCK, 2001), (SH, "603901", "示例新材", STOCK, None),
    (SH, "113901", "示例转债", CONVERTIBLE, None), (SH, "019547", "24国债10", BOND, 2024),
    (SH, "510300", "沪深300ETF", FUND, 2012), (SH, "505888", "嘉实元和", FUND, 2015),
    (SH, "900901", "云赛B股", B_STOCK, 1992),
    (SZ, "000001", "平安银行", STOCK, 1991), (SZ, "000858", "五粮液", STOCK, 1998),
    (SZ, "002415", "海康威视", STOCK, 2010), (SZ, "300750", "宁德时代", STOCK, 2018),
    (SZ, "301901", "示例智能", STOCK, None), (SZ, "200002", "万科B", B_STOCK, 1993),
    (SZ, "159919", "沪深300ETF", FUND, 2012),
]

# Which securities an account of a kind trades, per market.
UNIVERSE = {
    (SH, A_SHARE): ["600036", "601318", "600900", "601398", "600519", "510300", "019547"],
    (SZ, A_SHARE): ["000001", "000858", "002415", "300750", "159919"],
    (SH, B_SHARE): ["900901"], (SZ, B_SHARE): ["200002"],
    (SH, CLOSED_FUND): ["505888", "510300"], (SZ, CLOSED_FUND): ["159919"],
    (SH, CREDIT): ["600036", "601318", "601398"], (SZ, CREDIT): ["000001", "002415"],
}
LOT = {STOCK: 100, B_STOCK: 100, FUND: 100, BOND: 1000, CONVERTIBLE: 1000}

# Dividends per share (元) and how many days before today the record date lies.
DIVIDENDS = [("600036", "1.972", 150), ("601318", "0.930", 120), ("600900", "0.713", 200),
             ("601398", "0.306", 140), ("600519", "27.673", 160), ("000001", "0.719", 130),
             ("000858", "3.702", 100), ("002415", "0.700", 170), ("300750", "4.553", 180)]

WANG_AN_SH, WANG_AN_SZ, LIU_YANG_SH = "A312600024", "0312600024", "A108300319"


def _one(model, **key):
    return db.session.execute(db.select(model).filter_by(**key)).scalar_one_or_none()


def unit_code(market, broker_code, branch_code):
    """A stable 托管单元 code per branch and market: 沪 5 digits, 深 6 digits."""
    n = sum(ord(c) * (i + 7) for i, c in enumerate(broker_code + branch_code))
    return f"{20000 + n % 70000:05d}" if market == SH else f"{n % 900000 + 10000:06d}"


def _security(market, code):
    return _one(Security, market=market, code=code)


def _unit_for(account):
    branch = account.branch
    code = unit_code(account.market, branch.broker.code, branch.code)
    return _one(CustodianUnit, market=account.market, code=code)


def seed_reference():
    """Securities and a custodian unit per broker branch and market."""
    today = clock.today()
    for market, code, name, kind, year in SECURITIES:
        if _security(market, code) is None:
            db.session.add(Security(market=market, code=code, name=name, kind=kind,
                                    listed_year=year or today.year))
    for broker in db.session.execute(db.select(Broker)).scalars():
        for branch in broker.branches:
            for market in (SH, SZ):
                code = unit_code(market, broker.code, branch.code)
                if _one(CustodianUnit, market=market, code=code) is None:
                    db.session.add(CustodianUnit(market=market, code=code, name=branch.name,
                                                 broker=broker))
    db.session.flush()
    for code, per_share, days_ago in DIVIDENDS:
        security = db.session.execute(db.select(Security).filter_by(code=code)).scalar_one()
        record = trading_days.previous_trading_day(today - timedelta(days=days_ago))
        if _one(Dividend, security_id=security.id, record_date=record) is None:
            ex = _next_trading_day(record)
            db.session.add(Dividend(security=security, record_date=record, ex_date=ex,
                                    pay_date=ex, per_share=Decimal(per_share)))
    db.session.flush()


def _next_trading_day(day):
    day += timedelta(days=1)
    while not trading_days.is_trading_day(day):
        day += timedelta(days=1)
    return day


class Ledger:
    """Writes one account's demo rows and keeps its running balances."""

    def __init__(self, account):
        self.account, self.unit = account, _unit_for(account)
        self.balance, self.n = {}, 0

    def add(self, day, code, quantity, kind, **share_class):
        security = _security(self.account.market, code)
        self.n += 1
        db.session.add(HoldingChange(
            account=self.account, security=security, unit=self.unit, trade_date=day,
            seq=self.n, kind=kind, quantity=quantity, source=SOURCE,
            ref=f"{self.account.number}-{self.n}", **share_class))
        self.balance[code] = self.balance.get(code, 0) + quantity
        return security


def _history(account, rng, today):
    """Opening positions more than a year old, then about two trades a month."""
    ledger = Ledger(account)
    universe = UNIVERSE.get((account.market, account.kind), [])
    if not universe or ledger.unit is None:
        return ledger
    opening = trading_days.previous_trading_day(today - timedelta(days=400 + rng.randint(0, 300)))
    for code in rng.sample(universe, k=min(len(universe), rng.randint(2, 4))):
        kind = _security(account.market, code).kind
        ledger.add(opening, code, LOT[kind] * rng.randint(5, 40), "opening")
    day = trading_days.previous_trading_day(today - timedelta(days=360))
    while day < today:
        code = rng.choice(universe)
        kind = _security(account.market, code).kind
        held = ledger.balance.get(code, 0)
        if held and rng.random() < 0.45:
            ledger.add(day, code, -min(held, LOT[kind] * rng.randint(1, 10)), "sell")
        else:
            ledger.add(day, code, LOT[kind] * rng.randint(1, 10), "buy")
        day = trading_days.previous_trading_day(day + timedelta(days=rng.randint(10, 20)))
    return ledger


def _before(today, days):
    return trading_days.previous_trading_day(today - timedelta(days=days))


def _after(day, days):
    return _next_trading_day(day + timedelta(days=days - 1))


def _record_date(code, today):
    days_ago = next(d for c, _, d in DIVIDENDS if c == code)
    return trading_days.previous_trading_day(today - timedelta(days=days_ago))


def _wang_an(sh, sz, today):
    """The designed cases of the first demo identity (docs/QUERIES.md, demo data)."""
    a, b = Ledger(sh), Ledger(sz)
    long_ago = trading_days.previous_trading_day(today - timedelta(days=900))
    a.add(long_ago, "600036", 3000, "opening")
    a.add(long_ago, "601398", 10000, "opening")
    b.add(long_ago, "000001", 2000, "opening")
    # 免征: held more than a year, then part sold after the dividend.
    r = _record_date("600036", today)
    a.add(_after(r, 20), "600036", -500, "sell")
    # 送股 of the same year's distribution: its own share class (权益类别 送股, 挂牌年份, 权益次数).
    a.add(_after(r, 3), "600036", 300, "bonus", qylb="S", gpnf=r.year, qycs=1)
    # 20 %: bought ten days before the record date, sold ten days after.
    r = _record_date("601318", today)
    a.add(_before(r, 10), "601318", 1000, "buy")
    a.add(_after(r, 10), "601318", -1000, "sell")
    # 10 %: bought two months before, a third sold a month after.
    r = _record_date("600900", today)
    a.add(_before(r, 60), "600900", 3000, "buy")
    a.add(_after(r, 30), "600900", -1000, "sell")
    # Still held: tax computed when sold.
    r = _record_date("000858", today)
    b.add(_before(r, 5), "000858", 200, "buy")
    b.add(_before(today, 30), "002415", 800, "buy")
    a.add(_before(today, 250), "510300", 20000, "buy")
    a.add(_before(today, 45), "510300", -5000, "sell")
    a.add(_before(today, 300), "019547", 50000, "buy")
    # The IPO win: 示例新材, paid and listed.
    unit_a = a.unit
    new = _security(SH, "603901")
    won_on = _before(today, 75)
    listed = _after(won_on, 12)
    a.add(listed, "603901", 500, "ipo")
    ipos = [
        IpoSubscription(account=sh, security=new, subscribed_on=won_on, subscribe_code="732901",
                        quantity=12000, first_number="100087532", number_count=12, won_count=1,
                        won_quantity=500, paid_quantity=500, pay_date=_after(won_on, 2)),
        IpoSubscription(account=sh, security=_security(SH, "113901"),
                        subscribed_on=_before(today, 160), subscribe_code="754901",
                        quantity=1000000, first_number="100012001", number_count=1000,
                        won_count=0, won_quantity=0, paid_quantity=0,
                        pay_date=_after(_before(today, 160), 2)),
        IpoSubscription(account=sz, security=_security(SZ, "301901"),
                        subscribed_on=_before(today, 40), subscribe_code="301901",
                        quantity=9500, first_number="000213004567", number_count=19,
                        won_count=1, won_quantity=500, paid_quantity=0,
                        pay_date=_after(_before(today, 40), 2)),
        IpoSubscription(account=sz, security=_security(SZ, "300750"),
                        subscribed_on=_before(today, 220), subscribe_code="300750",
                        quantity=5000, first_number="000105551234", number_count=10,
                        won_count=0, won_quantity=0, paid_quantity=0,
                        pay_date=_after(_before(today, 220), 2)),
    ]
    db.session.add_all(ipos)
    # A pledge (股票质押式回购) and a judicial freeze in effect; an earlier freeze released.
    db.session.add_all([
        Freeze(account=sh, security=_security(SH, "600036"), unit=unit_a, kind="pledge",
               quantity=800, start_date=_before(today, 120), end_date=_after(today, 245),
               authority="中信证券股份有限公司", document="ZY2026-031288", source=SOURCE,
               ref=f"{sh.number}-pledge"),
        Freeze(account=sz, security=_security(SZ, "000001"), unit=b.unit, kind="judicial",
               quantity=500, start_date=_before(today, 60), end_date=_after(today, 1035),
               authority="上海市浦东新区人民法院", document="（2026）沪0115执1234号",
               source=SOURCE, ref=f"{sz.number}-judicial"),
        Freeze(account=sz, security=_security(SZ, "000001"), unit=b.unit, kind="assist",
               quantity=300, start_date=_before(today, 300), end_date=_after(today, 60),
               released_on=_before(today, 200), authority="杭州市公安局西湖区分局",
               document="杭西公（经）冻字〔2025〕88号", source=SOURCE, ref=f"{sz.number}-assist"),
    ])


def _liu_yang(sh, today):
    """Three abandoned wins within 12 months: barred from new subscriptions."""
    codes = [("113901", "754901", 1000, 300), ("603901", "732901", 1000, 75),
             ("113901", "754901", 1000, 20)]
    for n, (code, sub_code, won, days_ago) in enumerate(codes):
        day = _before(today, days_ago + n)
        db.session.add(IpoSubscription(
            account=sh, security=_security(SH, code), subscribed_on=day,
            subscribe_code=sub_code, quantity=won * 10, first_number=f"10{n}0045678",
            number_count=10, won_count=1, won_quantity=won, paid_quantity=0,
            pay_date=_after(day, 2)))


def seed():
    seed_reference()
    today = clock.today()
    accounts = db.session.execute(db.select(SecuritiesAccount)
                                  .order_by(SecuritiesAccount.number)).scalars().all()
    by_number = {a.number: a for a in accounts}
    for account in accounts:
        if account.status not in (NORMAL, "frozen") or account.market not in (SH, SZ):
            continue
        exists = db.session.execute(db.select(HoldingChange.id).filter_by(
            account_id=account.id, source=SOURCE).limit(1)).first()
        if exists:
            continue
        if account.number in (WANG_AN_SH, WANG_AN_SZ):
            if account.number == WANG_AN_SH and WANG_AN_SZ in by_number:
                _wang_an(account, by_number[WANG_AN_SZ], today)
            continue
        _history(account, random.Random(account.number), today)
        if account.number == LIU_YANG_SH:
            _liu_yang(account, today)
    db.session.flush()


def logins():
    return ["证券查询（Q-1…Q-8）：王安 的两个证券账户有一年的持仓变更、分红（各档税率）、"
            "质押、司法冻结、新股中签与放弃认购；刘洋 12个月内放弃认购3次"]
