"""Property-based tests (hypothesis): the balance at a date is the sum of the ledger up
to that date, the running balance of Q-3 is the running sum, the FIFO dividend tax
neither loses nor invents shares, and the Q-7 bar matches a brute-force reading."""
from collections import namedtuple
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import (
    Broker,
    BrokerBranch,
    CustodianUnit,
    HoldingChange,
    Investor,
    SecuritiesAccount,
    Security,
    YmtAccount,
)
from wechat_hall.extensions import db
from wechat_hall.services.queries import dividend_tax, holdings, ipo, trading_days
from wechat_hall.services.queries.scope import Scope

START = date(2026, 1, 5)

change = st.tuples(st.integers(0, 40), st.integers(0, 1), st.integers(0, 2), st.integers(0, 1),
                   st.integers(-5000, 5000).filter(bool))


def _world():
    broker = Broker(code="PB", name="性质证券")
    branch = BrokerBranch(broker=broker, code="01", name="性质营业部")
    investor = Investor(name="性质", id_type="resident_id", id_number="X")
    ymt = YmtAccount(number="189999999999", investor=investor, branch=branch)
    accounts = [SecuritiesAccount(number=n, market="SH", ymt_account=ymt, branch=branch)
                for n in ("A900000001", "A900000002")]
    securities = [Security(market="SH", code=f"60000{i}", name=f"证券{i}") for i in range(3)]
    units = [CustodianUnit(market="SH", code=f"3000{i}", name=f"单元{i}") for i in range(2)]
    db.session.add_all(accounts + securities + units)
    db.session.commit()
    return accounts, securities, units


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(change, max_size=40), probes=st.lists(st.integers(-1, 42), min_size=1,
                                                           max_size=5))
def test_balance_is_the_sum_of_the_ledger(app, rows, probes):
    with app.app_context():
        if db.session.execute(db.select(Security.id).limit(1)).first() is None:
            _world()
        db.session.execute(db.delete(HoldingChange))
        accounts = db.session.execute(db.select(SecuritiesAccount).order_by(
            SecuritiesAccount.number)).scalars().all()
        securities = db.session.execute(db.select(Security).order_by(Security.code)
                                        ).scalars().all()
        units = db.session.execute(db.select(CustodianUnit).order_by(CustodianUnit.code)
                                   ).scalars().all()
        for n, (offset, a, s, u, qty) in enumerate(rows):
            db.session.add(HoldingChange(
                account=accounts[a], security=securities[s], unit=units[u],
                trade_date=START + timedelta(days=offset), seq=n % 3, kind="buy",
                quantity=qty, source="prop", ref=str(n)))
        db.session.commit()
        ids = [a.id for a in accounts]
        for probe in probes:
            day = START + timedelta(days=probe)
            expected = {}
            for offset, a, s, u, qty in rows:
                if START + timedelta(days=offset) <= day:
                    key = (accounts[a].id, securities[s].id, units[u].id)
                    expected[key] = expected.get(key, 0) + qty
            expected = {k: v for k, v in expected.items() if v}
            got = {k[:3]: q for k, q in holdings.balances(ids, day).items()}
            assert got == expected
        # each row's balance after is the running sum of its position.
        found, total = holdings.changes_between(Scope(accounts), START,
                                                START + timedelta(days=40))
        assert total == len(rows)
        running = {}
        for row in found:
            c = row.change
            key = (c.account_id, c.security_id, c.unit_id)
            running[key] = running.get(key, 0) + c.quantity
            assert row.balance_after == running[key]


Div = namedtuple("Div", "record_date per_share")


@st.composite
def histories(draw):
    """A plausible day-by-day history: never sells more than is held."""
    held, history = 0, []
    for day in sorted(set(draw(st.lists(st.integers(0, 500), max_size=25)))):
        qty = draw(st.integers(-held, 3000).filter(bool)) if held else draw(
            st.integers(1, 3000))
        held += qty
        history.append((START + timedelta(days=day), qty))
    return history


@settings(max_examples=200, deadline=None)
@given(history=histories(), record_days=st.lists(st.integers(0, 500), max_size=4, unique=True))
def test_fifo_dividend_tax_accounts_for_every_entitled_share(history, record_days):
    dividends = [Div(START + timedelta(days=d), Decimal("0.5")) for d in record_days]
    lines = dividend_tax.tax_lines(history, dividends, today=START + timedelta(days=600))
    for div in dividends:
        held = sum(q for d, q in history if d <= div.record_date)
        assert sum(line.quantity for line in lines if line.dividend is div) == held
    for line in lines:
        assert line.acquired <= line.dividend.record_date
        if line.sold:
            assert line.sold >= line.dividend.record_date
            rate, _ = dividend_tax.rate_for(line.acquired, line.sold)
            assert line.rate == rate
            assert line.tax == (line.amount * rate).quantize(Decimal("0.01"))


def test_tax_tiers_at_their_edges():
    acquired = date(2026, 1, 15)
    assert dividend_tax.rate_for(acquired, date(2026, 2, 16))[0] == Decimal("0.20")  # 1 month
    assert dividend_tax.rate_for(acquired, date(2026, 2, 17))[0] == Decimal("0.10")
    assert dividend_tax.rate_for(acquired, date(2027, 1, 16))[0] == Decimal("0.10")  # 1 year
    assert dividend_tax.rate_for(acquired, date(2027, 1, 17))[0] == Decimal("0")


@settings(max_examples=300, deadline=None)
@given(days=st.lists(st.integers(0, 900), max_size=6), today=st.integers(0, 1000))
def test_the_abandonment_bar_matches_a_brute_force_reading(days, today):
    pay = [START + timedelta(days=d) for d in days]
    now = START + timedelta(days=today)
    expected = None
    ordered = sorted(pay)
    for i in range(len(ordered)):
        for j in range(i + 2, len(ordered)):
            # any three abandonments within 12 consecutive months
            if trading_days.months_after(ordered[i], 12) > ordered[j]:
                first_day = ordered[j] + timedelta(days=1)
                last_day = first_day + timedelta(days=179)
                if first_day <= now <= last_day:
                    expected = last_day if expected is None else max(expected, last_day)
    assert ipo.bar_end(pay, now) == expected


def test_trading_days_skip_weekends_and_holidays():
    assert not trading_days.is_trading_day(date(2026, 10, 1))  # National Day
    assert not trading_days.is_trading_day(date(2026, 11, 21))  # Saturday
    assert trading_days.is_trading_day(date(2026, 11, 20))
    assert trading_days.previous_trading_day(date(2026, 11, 22)) == date(2026, 11, 20)
    assert trading_days.years_back(date(2028, 2, 29), 1) == date(2027, 2, 28)
