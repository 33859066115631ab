"""Demo register (ACC-8, Q-1): brokers and branches, investors, 一码通 and securities
accounts, and the bank cards the development bank-card check knows.

One demo identity per way through 绑定及激活一码通, listed by ``logins()`` for `make run`.
Every ID number passes ``services.accounts.id_numbers`` (the tests check it), and the first
identity matches the seed's masks: *安, 211****0003, 189****0024.
"""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.exc import SQLAlchemyError

from models import Broker, BrokerBranch, DemoBankCard, Investor, SecuritiesAccount, YmtAccount
from models.registry import (
    A_SHARE,
    ACCOUNT_KINDS,
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
from wechat_hall.extensions import db
from wechat_hall.services.accounts import account_numbers, id_numbers
from wechat_hall.services.accounts.id_numbers import HK_MACAO_PASS, RESIDENT_ID, USCC

# 证券公司 → 营业部 (code, name, city, accepts 临柜身份认证)
BROKERS = [
    ("ZXZQ", "中信证券", [
        ("0101", "中信证券北京总部证券营业部", "北京", True),
        ("3101", "中信证券上海淮海中路证券营业部", "上海", True),
        ("4403", "中信证券深圳深南大道证券营业部", "深圳", True),
    ]),
    ("HTZQ", "华泰证券", [
        ("1101", "华泰证券北京西三环北路证券营业部", "北京", True),
        ("3201", "华泰证券南京中山路证券营业部", "南京", False),
    ]),
    ("GTJA", "国泰君安证券", [
        ("3101", "国泰君安证券上海江苏路证券营业部", "上海", True),
        ("4403", "国泰君安证券深圳益田路证券营业部", "深圳", True),
    ]),
    ("ZSZQ", "招商证券", [
        ("1101", "招商证券北京建国门外大街证券营业部", "北京", True),
        ("4403", "招商证券深圳福田中心区证券营业部", "深圳", True),
    ]),
    ("GFZQ", "广发证券", [
        ("3301", "广发证券杭州天目山路证券营业部", "杭州", True),
        ("4401", "广发证券广州天河北路证券营业部", "广州", False),
    ]),
]


class Account(NamedTuple):
    number: str
    market: str
    kind: str
    branch: tuple  # (broker code, branch code)
    opened: datetime
    status: str = NORMAL
    cancelled: datetime = None


class Ymt(NamedTuple):
    number: str
    phone: str  # 开户预留手机号; None for accounts opened before phones were reserved
    branch: tuple
    opened: datetime
    accounts: tuple = ()
    status: str = NORMAL
    cancelled: datetime = None


class Person(NamedTuple):
    holder_type: str
    name: str
    id_type: str
    id_number: str
    ymts: tuple


def _d(y, m, d):
    return datetime(y, m, d, 9, 30)


# 2015-04-13: 一码通 went live; older holders got theirs that day for their existing accounts.
YMT_LAUNCH = _d(2015, 4, 13)

WANG_AN = Person(INDIVIDUAL, "王安", RESIDENT_ID, "211103198603040003", (
    Ymt("180312600024", "18900000024", ("ZXZQ", "3101"), _d(2016, 6, 12), (
        Account("A312600024", SH, A_SHARE, ("ZXZQ", "3101"), _d(2016, 6, 12)),
        Account("0312600024", SZ, A_SHARE, ("ZXZQ", "4403"), _d(2016, 6, 12)),
    )),
))
LI_MING = Person(INDIVIDUAL, "李明", RESIDENT_ID, "32010219900503153X", (
    # The reserved phone is his old number: method (b) is his way.
    Ymt("180451200153", "13700000153", ("HTZQ", "3201"), _d(2017, 9, 4), (
        Account("A451200153", SH, A_SHARE, ("HTZQ", "3201"), _d(2017, 9, 4)),
    )),
))
ZHANG_WEI = Person(INDIVIDUAL, "张伟", RESIDENT_ID, "310115197809072717", (
    Ymt("180278900271", "13600000271", ("GTJA", "3101"), YMT_LAUNCH, (
        Account("A278900271", SH, A_SHARE, ("GTJA", "3101"), _d(2006, 3, 20)),
        Account("0278900271", SZ, A_SHARE, ("GTJA", "4403"), _d(2006, 3, 20)),
        Account("C278900271", SH, B_SHARE, ("GTJA", "3101"), _d(2008, 5, 8)),
        Account("2078900271", SZ, B_SHARE, ("GTJA", "4403"), _d(2008, 5, 8)),
        Account("F278900271", SH, CLOSED_FUND, ("GTJA", "3101"), _d(2007, 1, 15)),
        Account("E078900271", SH, CREDIT, ("GTJA", "3101"), _d(2012, 11, 1)),
    )),
))
CHEN_JING = Person(INDIVIDUAL, "陈静", RESIDENT_ID, "440304196511080825", (
    # Opened in 1996, before phones were reserved: no method (a); the counter is her way.
    Ymt("180440300082", None, ("ZSZQ", "4403"), YMT_LAUNCH, (
        Account("0044030082", SZ, A_SHARE, ("ZSZQ", "4403"), _d(1996, 8, 19)),
    )),
))
LIU_YANG = Person(INDIVIDUAL, "刘洋", RESIDENT_ID, "110108198307093191", (
    Ymt("180108300319", "13810000319", ("HTZQ", "1101"), _d(2016, 2, 25), (
        Account("A108300319", SH, A_SHARE, ("HTZQ", "1101"), _d(2016, 2, 25)),
    )),
    # A second 一码通 opened at another broker (the seed's "多个一码通账户").
    Ymt("180520100319", "15810000319", ("ZSZQ", "1101"), _d(2019, 7, 8), (
        Account("0108300319", SZ, A_SHARE, ("ZSZQ", "1101"), _d(2019, 7, 8)),
        Account("A520100319", SH, A_SHARE, ("ZSZQ", "1101"), _d(2019, 7, 8), FROZEN),
    )),
))
ZHAO_MIN = Person(INDIVIDUAL, "赵敏", RESIDENT_ID, "330106199202052046", (
    Ymt("180330100204", "13500000204", ("GFZQ", "3301"), _d(2018, 4, 16), (
        Account("A330100204", SH, A_SHARE, ("GFZQ", "3301"), _d(2018, 4, 16)),
        Account("0330100204", SZ, A_SHARE, ("GFZQ", "3301"), _d(2018, 4, 16),
                CANCELLED, _d(2023, 3, 15)),
        Account("F330100204", SH, CLOSED_FUND, ("GFZQ", "3301"), _d(2018, 4, 16), DORMANT),
    )),
    # An earlier 一码通, cancelled after its accounts moved to the one above.
    Ymt("180330000204", "13500000999", ("GFZQ", "4401"), _d(2015, 9, 1), (),
        CANCELLED, _d(2018, 4, 20)),
))
CHEN_JIAMING = Person(INDIVIDUAL, "陈家明", HK_MACAO_PASS, "H60218835", (
    Ymt("180852000188", "13922220188", ("ZSZQ", "4403"), _d(2020, 10, 9), (
        Account("0185200188", SZ, A_SHARE, ("ZSZQ", "4403"), _d(2020, 10, 9)),
    )),
))
PUJIANG = Person(INSTITUTION, "上海浦江资产管理有限公司", USCC, "91310115MA1FL2Q751", (
    Ymt("180900000001", "13311110001", ("ZXZQ", "3101"), _d(2017, 3, 1), (
        Account("B882000001", SH, A_SHARE, ("ZXZQ", "3101"), _d(2017, 3, 1)),
        Account("0899000001", SZ, A_SHARE, ("ZXZQ", "4403"), _d(2017, 3, 1)),
    )),
))

PEOPLE = [WANG_AN, LI_MING, ZHANG_WEI, CHEN_JING, LIU_YANG, ZHAO_MIN, CHEN_JIAMING, PUJIANG]

# (card number, cardholder, ID number, bank-reserved phone, bank) — Luhn-valid numbers.
CARDS = [
    ("6222021001234560156", LI_MING.name, LI_MING.id_number, "13912340153", "中国工商银行"),
    ("6217000010830031905", LIU_YANG.name, LIU_YANG.id_number, "15810000319", "中国建设银行"),
]


def _branch(key):
    broker_code, branch_code = key
    return db.session.execute(
        db.select(BrokerBranch).join(Broker)
        .where(Broker.code == broker_code, BrokerBranch.code == branch_code)).scalar_one()


def _one(model, **key):
    return db.session.execute(db.select(model).filter_by(**key)).scalar_one_or_none()


def _seed_brokers():
    for code, name, branches in BROKERS:
        broker = _one(Broker, code=code)
        if broker is None:
            broker = Broker(code=code, name=name)
            db.session.add(broker)
            db.session.flush()
        for bcode, bname, city, counter in branches:
            if _one(BrokerBranch, broker_id=broker.id, code=bcode) is None:
                db.session.add(BrokerBranch(broker=broker, code=bcode, name=bname, city=city,
                                            counter_verification=counter))
    db.session.flush()


def _seed_person(person):
    # A demo number that fails the validator is a bug in this file: fail loudly.
    number = id_numbers.validate_id_number(person.id_type, person.id_number,
                                           person.holder_type)
    investor = _one(Investor, id_type=person.id_type, id_number=number)
    if investor is None:
        investor = Investor(holder_type=person.holder_type, name=person.name,
                            id_type=person.id_type, id_number=number)
        db.session.add(investor)
    for ymt in person.ymts:
        row = _one(YmtAccount, number=account_numbers.validate_ymt_number(ymt.number))
        if row is None:
            row = YmtAccount(number=ymt.number, investor=investor, reserved_phone=ymt.phone,
                             status=ymt.status, branch=_branch(ymt.branch),
                             opened_at=ymt.opened, cancelled_at=ymt.cancelled)
            db.session.add(row)
        for acc in ymt.accounts:
            number = account_numbers.validate_securities_account(acc.number)
            if account_numbers.securities_account_market(number) != acc.market:
                raise ValueError(f"demo account {number} is not a {acc.market} number")
            if _one(SecuritiesAccount, number=number) is None:
                db.session.add(SecuritiesAccount(
                    number=number, market=acc.market, kind=acc.kind, ymt_account=row,
                    status=acc.status, branch=_branch(acc.branch), opened_at=acc.opened,
                    cancelled_at=acc.cancelled))
    db.session.flush()


def seed():
    _seed_brokers()
    for person in PEOPLE:
        _seed_person(person)
    for card, name, id_number, phone, bank in CARDS:
        if _one(DemoBankCard, card_number=card) is None:
            db.session.add(DemoBankCard(card_number=card, holder_name=name, id_number=id_number,
                                        phone=phone, bank_name=bank))


def _who(person):
    return (f"{'个人' if person.holder_type == INDIVIDUAL else '机构'} {person.name} "
            f"{id_numbers.id_type_label(person.id_type)} {person.id_number}")


def _label(acc):
    return f"{'沪' if acc.market == SH else '深'}{ACCOUNT_KINDS[acc.kind].removesuffix('账户')}"


def _accounts(ymt, status=NORMAL):
    return "、".join(f"{a.number}（{_label(a)}）" for a in ymt.accounts if a.status == status)


def _branch_name(key):
    return next(name for code, _, branches in BROKERS if code == key[0]
                for bcode, name, _, _ in branches if bcode == key[1])


def logins():
    """Which demo identity exercises which way through ACC-8 and Q-1."""
    card, _, _, card_phone, bank = CARDS[0]
    chen = CHEN_JING.ymts[0].accounts[0]
    liu1, liu2 = LIU_YANG.ymts
    zhao = ZHAO_MIN.ymts[0]
    lines = [
        f"一码通激活（开户预留手机号）：{_who(WANG_AN)} 手机 {WANG_AN.ymts[0].phone}",
        f"一码通激活（银联身份认证）：{_who(LI_MING)} 银行卡 {card}（{bank}）"
        f" 银行预留手机 {card_phone}",
        f"一码通激活（交易报盘）：{_who(ZHANG_WEI)} 任一关联证券账户 "
        f"{_accounts(ZHANG_WEI.ymts[0])}；按页面给出的买入数量写一行报盘 CSV"
        "（docs/TRADEFEED.md），运行 flask tradefeed import 文件",
        f"一码通激活（临柜）：{_who(CHEN_JING)}（无开户预留手机号）"
        f"证券账户 {chen.number} 营业部 {_branch_name(chen.branch)}；"
        "员工 counter 在 /staff/counter-checks/ 核对证件号码后确认",
        f"多个一码通：{_who(LIU_YANG)} 一码通 {liu1.number}（手机 {liu1.phone}）、"
        f"{liu2.number}（手机 {liu2.phone}，含冻结账户 {_accounts(liu2, FROZEN)}）",
        f"含已注销证券账户：{_who(ZHAO_MIN)} 手机 {zhao.phone}（已注销 "
        f"{_accounts(zhao, CANCELLED)}，休眠 {_accounts(zhao, DORMANT)}，另有已注销一码通 "
        f"{ZHAO_MIN.ymts[1].number}）",
        f"港澳居民：{_who(CHEN_JIAMING)} 手机 {CHEN_JIAMING.ymts[0].phone}",
        f"机构用户（微信仅支持个人用户绑定）：{_who(PUJIANG)}",
    ]
    if not _seeded():
        lines.append("（登记数据尚未加载：运行 flask demo seed）")
    return lines


def _seeded():
    try:
        return _one(Investor, id_type=WANG_AN.id_type, id_number=WANG_AN.id_number) is not None
    except SQLAlchemyError:  # table not migrated yet
        db.session.rollback()
        return False
