"""The register's tables (ACC-8, Q-1) and the demo register that `make run` loads."""
from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from models import Broker, BrokerBranch, DemoBankCard, Investor, SecuritiesAccount, YmtAccount
from models.registry import (
    A_SHARE,
    B_SHARE,
    CANCELLED,
    CLOSED_FUND,
    CREDIT,
    DORMANT,
    FROZEN,
    INDIVIDUAL,
    INSTITUTION,
    NORMAL,
    SH,
    SZ,
)
from wechat_hall import demo
from wechat_hall.adapters.bankcard_check import luhn_ok
from wechat_hall.demo import registry as demo_registry
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_name, mask_phone
from wechat_hall.services.accounts import account_numbers, id_numbers
from wechat_hall.services.accounts.id_numbers import PASSPORT, RESIDENT_ID

from tests import seeding

MODELS = (Broker, BrokerBranch, Investor, YmtAccount, SecuritiesAccount, DemoBankCard)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _branch():
    broker = Broker(code="TEST", name="测试证券")
    branch = BrokerBranch(broker=broker, code="0001", name="测试证券上海营业部", city="上海")
    db.session.add(branch)
    return branch


def _ymt(number="180000000001", id_number="211103198603040003", branch=None):
    investor = Investor(holder_type=INDIVIDUAL, name="王安", id_type=RESIDENT_ID,
                        id_number=id_number)
    return YmtAccount(number=number, investor=investor, reserved_phone="18900000024",
                      branch=branch or _branch())


def _refused(*rows):
    db.session.add_all(rows)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_id_number_is_unique_per_id_type(ctx):
    db.session.add(Investor(name="王安", id_type=RESIDENT_ID, id_number="211103198603040003"))
    # The same characters under another ID type are another document.
    db.session.add(Investor(name="王安", id_type=PASSPORT, id_number="211103198603040003"))
    db.session.commit()
    _refused(Investor(name="王安安", id_type=RESIDENT_ID, id_number="211103198603040003"))
    assert db.session.query(Investor).count() == 2


def test_account_numbers_are_unique(ctx):
    branch = _branch()
    ymt = _ymt(branch=branch)
    db.session.add(SecuritiesAccount(number="A312600024", market=SH, ymt_account=ymt,
                                     branch=branch))
    db.session.commit()
    _refused(SecuritiesAccount(number="A312600024", market=SH, ymt_account_id=ymt.id,
                               branch_id=branch.id))
    _refused(YmtAccount(number="180000000001", investor_id=ymt.investor_id,
                        branch_id=branch.id))
    _refused(BrokerBranch(broker_id=branch.broker_id, code="0001", name="重复营业部"))
    _refused(Broker(code="TEST", name="重复证券"))


def _bad_holder_type():
    return Investor(holder_type="robot", name="某", id_type=PASSPORT, id_number="E12345678")


def _bad_ymt_status():
    ymt = _ymt()
    ymt.status = FROZEN  # a 一码通 is 正常 or 注销
    return ymt


def _bad_market():
    branch = _branch()
    return SecuritiesAccount(number="A312600024", market="HK", ymt_account=_ymt(branch=branch),
                             branch=branch)


def _bad_account_status():
    branch = _branch()
    return SecuritiesAccount(number="A312600024", market=SH, status="lost",
                             ymt_account=_ymt(branch=branch), branch=branch)


@pytest.mark.parametrize("make", [_bad_holder_type, _bad_ymt_status, _bad_market,
                                  _bad_account_status])
def test_enumerated_columns_refuse_unknown_values(ctx, make):
    _refused(make())


def test_relationships_and_labels(ctx):
    branch = _branch()
    ymt = _ymt(branch=branch)
    db.session.add_all([
        SecuritiesAccount(number="F312600024", market=SH, kind=CLOSED_FUND, ymt_account=ymt,
                          branch=branch, status=DORMANT),
        SecuritiesAccount(number="0312600024", market=SZ, kind=A_SHARE, ymt_account=ymt,
                          branch=branch, opened_at=datetime(2016, 6, 12)),
    ])
    db.session.commit()
    investor = db.session.execute(db.select(Investor)).scalar_one()
    assert investor.holder_type_label == "个人"
    [row] = investor.ymt_accounts
    assert row.is_active and row.status_label == "正常" and row.opened_at
    szse, sse = row.securities_accounts  # ordered by number
    assert (szse.short_label, szse.kind_label, szse.market_label) == ("深A", "A股账户", "深圳")
    assert (sse.short_label, sse.status_label, sse.is_active) == ("沪基金", "休眠", False)
    assert sse.branch.broker.name == "测试证券"


# ---------------------------------------------------------------- the demo register

def _counts():
    return {m.__name__: db.session.query(m).count() for m in MODELS}


def test_the_demo_seeder_is_idempotent(ctx):
    assert demo_registry in demo.SEEDERS
    demo.seed()
    first = _counts()
    assert all(first.values()), first
    demo.seed()
    demo_registry.seed()
    db.session.commit()
    assert _counts() == first


def test_every_demo_number_validates(app, ctx):
    seeding.load(app, "demo")
    for investor in db.session.execute(db.select(Investor)).scalars():
        number = id_numbers.validate_id_number(investor.id_type, investor.id_number,
                                               investor.holder_type)
        assert number == investor.id_number
    for account in db.session.execute(db.select(SecuritiesAccount)).scalars():
        assert account_numbers.validate_securities_account(account.number) == account.number
        assert account_numbers.securities_account_market(account.number) == account.market
    for ymt in db.session.execute(db.select(YmtAccount)).scalars():
        assert account_numbers.validate_ymt_number(ymt.number) == ymt.number
    for card in db.session.execute(db.select(DemoBankCard)).scalars():
        assert luhn_ok(card.card_number)
        owner = db.session.execute(db.select(Investor).filter_by(
            id_number=card.id_number)).scalar_one()
        assert owner.name == card.holder_name


def _investor(person):
    return db.session.execute(db.select(Investor).filter_by(
        id_type=person.id_type, id_number=person.id_number)).scalar_one()


def test_the_demo_register_covers_every_way_through_acc8(app, ctx):
    seeding.load(app, "demo")
    # (a) the seed's own screen: *安, 211****0003, 189****0024
    wang = _investor(demo_registry.WANG_AN)
    [ymt] = wang.ymt_accounts
    assert (mask_name(wang.name), mask_id_number(wang.id_number),
            mask_phone(ymt.reserved_phone)) == ("*安", "211****0003", "189****0024")
    # (b) a bank card that belongs to an investor
    li = _investor(demo_registry.LI_MING)
    assert db.session.execute(db.select(DemoBankCard).filter_by(
        id_number=li.id_number)).scalar_one().phone != li.ymt_accounts[0].reserved_phone
    # (c) every kind of account, on both markets
    zhang = _investor(demo_registry.ZHANG_WEI)
    accounts = zhang.ymt_accounts[0].securities_accounts
    assert {a.kind for a in accounts} == {A_SHARE, B_SHARE, CLOSED_FUND, CREDIT}
    assert {a.market for a in accounts} == {SH, SZ}
    assert {a.short_label for a in accounts} >= {"沪A", "深A", "沪B", "深B", "沪基金", "沪信用"}
    # (d) no reserved phone; the branch takes counter verification
    chen = _investor(demo_registry.CHEN_JING).ymt_accounts[0]
    assert chen.reserved_phone is None
    assert chen.securities_accounts[0].branch.counter_verification
    assert db.session.execute(db.select(BrokerBranch).filter_by(
        counter_verification=False)).first()
    # an institution (WeChat binds individuals only)
    pujiang = _investor(demo_registry.PUJIANG)
    assert pujiang.holder_type == INSTITUTION and pujiang.ymt_accounts[0].securities_accounts
    # several active 一码通, a frozen account
    liu = _investor(demo_registry.LIU_YANG)
    assert [y.status for y in liu.ymt_accounts] == [NORMAL, NORMAL]
    assert FROZEN in {a.status for y in liu.ymt_accounts for a in y.securities_accounts}
    # a cancelled securities account beside active ones, and a cancelled 一码通
    zhao = _investor(demo_registry.ZHAO_MIN)
    statuses = {a.status for y in zhao.ymt_accounts for a in y.securities_accounts}
    assert {NORMAL, CANCELLED, DORMANT} <= statuses
    assert CANCELLED in {y.status for y in zhao.ymt_accounts}
    cancelled = [a for y in zhao.ymt_accounts for a in y.securities_accounts
                 if a.status == CANCELLED]
    assert all(a.cancelled_at for a in cancelled)


def test_logins_say_which_identity_exercises_which_method(app, ctx):
    lines = demo_registry.logins()
    assert lines[-1] == "（登记数据尚未加载：运行 flask demo seed）"
    seeding.load(app, "demo")
    lines = demo_registry.logins()
    text = "\n".join(lines)
    for needle in ("开户预留手机号", "银联身份认证", "交易报盘", "临柜", "多个一码通",
                   "已注销", "机构", "211103198603040003", "18900000024"):
        assert needle in text
    assert "尚未加载" not in text
    assert all(line in demo.logins() for line in lines)
