"""Demo data for the holder registers (ISS-1) and the 5 % alert (ISS-3).

The issuer is 600888 浦江科技 (the demo meetings' security): 200,000,000 shares on the
ledger, with restricted (首发前/首发后限售股) and non-tradable shares, holders of every
持有人类别 code (1000, 2000, 2100 国有, 2200 境外, 2010 QFII, 2020 RQFII, 2001 证券投资基金,
2002 私募基金), 融资融券 credit accounts under 中信证券's collateral account (张伟, 孙丽,
周强, as the meetings' underlying holders), a broker's 转融通 detail account under 中国证券
金融's guarantee account, and a 约定购回 special account with two investors' agreements.
In the last trading days: a pledge of 浦江集团's shares, HKSCC selling, a QFII crossing
5 %, so the 5 % lists of the last five trading days (computed here) have changes.
The bond 019547 24国债10 has repo pledges in the 质押专用账户; the B share 900901 gets an
overseas holder. Runs after ``securities``; idempotent.
"""
import random
from datetime import datetime, timedelta

from models import (
    CollateralAccount,
    CollateralLink,
    Freeze,
    HolderProfile,
    HoldingChange,
    Investor,
    RepoPledge,
    RepurchaseAgreement,
    SecuritiesAccount,
    Security,
    YmtAccount,
)
from models.issuers import CSF, MARGIN
from models.registry import A_SHARE, B_SHARE, CREDIT, INDIVIDUAL, INSTITUTION, SH
from models.securities import STOCK
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import check_characters
from wechat_hall.services.accounts.id_numbers import ORG_CODE, RESIDENT_ID, USCC
from wechat_hall.services.issuers import major_holders
from wechat_hall.services.queries import trading_days

from . import securities
from .registry import _branch, _one
from .securities import _unit_for

# The rows go under the demo generator's source, so that `securities.seed` (which fills
# the history of every account without demo rows) leaves these accounts alone when the
# demo is seeded again; their refs start with ``iss-``.
SOURCE, REF = "demo", "iss-"
CODE, NAME, TOTAL = "600888", "浦江科技", 200_000_000


def _uscc(first17):
    return first17 + check_characters.gb32100_check_char(first17)


def _resident(first17):
    return first17 + check_characters.gb11643_check_char(first17)


def _org(first8):
    return first8 + check_characters.gb11714_check_char(first8)


# (name, holder type, id type, id number, category, 一码通, account, account kind, address)
HOLDERS = [
    ("浦江集团有限公司", INSTITUTION, USCC, _uscc("91310000MA1PJ0003"), "2100", "180881000003",
     "B881000003", A_SHARE, "上海市黄浦区中山东一路18号"),
    ("上海浦江国有资本投资运营有限公司", INSTITUTION, USCC, _uscc("91310000MA1PJ0004"), "2100",
     "180881000004", "B881000004", A_SHARE, "上海市徐汇区漕溪北路331号"),
    ("上海浦江投资发展有限公司", INSTITUTION, USCC, _uscc("91310000MA1PJ0005"), "2000",
     "180881000005", "B881000005", A_SHARE, "上海市浦东新区张杨路500号"),
    ("瑞银集团", INSTITUTION, ORG_CODE, _org("QF000001"), "2010", "180881000006",
     "B881000006", A_SHARE, "瑞士苏黎世班霍夫大街45号"),
    ("示例海外资产管理（香港）有限公司", INSTITUTION, ORG_CODE, _org("RQ000002"), "2020",
     "180881000007", "B881000007", A_SHARE, "香港中环金融街8号"),
    ("浦江成长混合型证券投资基金", INSTITUTION, USCC, _uscc("91310000MA1PJ0008"), "2001",
     "180881000008", "B881000008", A_SHARE, "上海市浦东新区世纪大道100号"),
    ("浦江一号私募证券投资基金", INSTITUTION, USCC, _uscc("91310000MA1PJ0009"), "2002",
     "180881000009", "B881000009", A_SHARE, "上海市长宁区仙霞路99号"),
    # 转融通担保证券账户 (a collateral account: its shares are its linked accounts')
    ("中国证券金融股份有限公司", INSTITUTION, USCC, _uscc("91110000MA1C0F001"), "2100",
     "180881000010", "B881000020", CREDIT, "北京市西城区宣武门西大街甲127号"),
    # 中信证券's 转融通担保证券明细账户
    ("中信证券股份有限公司", INSTITUTION, USCC, _uscc("91440300MA1XX0011"), "2000",
     "180881000011", "B881000021", A_SHARE, "深圳市福田区中心三路8号"),
    # 债券回购质押专用账户
    ("中国证券登记结算有限责任公司上海分公司", INSTITUTION, USCC, _uscc("91310000MA1CD0012"),
     "2100", "180881000012", "B881000023", A_SHARE, "上海市浦东新区杨高南路188号"),
    ("孙丽", INDIVIDUAL, RESIDENT_ID, _resident("31010419850612052"), "1000", "180100000001",
     "E100000001", CREDIT, "上海市徐汇区天钥桥路100弄"),
    ("周强", INDIVIDUAL, RESIDENT_ID, _resident("31011219790301183"), "1000", "180100000002",
     "E100000002", CREDIT, "上海市闵行区七莘路200号"),
    ("Pacific Harbour Capital Ltd", INSTITUTION, ORG_CODE, _org("PH000013"), "2200",
     "180881000013", "C881000013", B_SHARE, "Hong Kong, Queen's Road Central 1"),
]
# Further accounts of the institutions above: (owner's 一码通, account)
EXTRA = [("180881000011", "B881000022")]   # 中信证券 约定购回专用账户
ADDRESSES = {INDIVIDUAL: ("1000", "上海市浦东新区陆家嘴环路1000号"),
             INSTITUTION: ("2000", "上海市浦东新区浦东南路528号")}
# 600888 at the opening, more than a year ago: (account, shares, 证券类别, 流通类型)
OPENING = [
    ("B881000003", 60_000_000, "XL", "C"), ("B881000004", 20_000_000, "PT", "D"),
    ("B880000001", 15_000_000, "PT", "0"), ("B882000001", 3_000_000, "XL", "A"),
    ("B881000006", 9_000_000, "PT", "0"), ("B881000007", 2_000_000, "PT", "0"),
    ("B881000008", 4_000_000, "PT", "0"), ("B881000009", 1_500_000, "PT", "0"),
    ("E078900271", 3_000, "PT", "0"), ("E100000001", 2_000, "PT", "0"),
    ("E100000002", 45_000, "PT", "0"), ("B881000021", 200_000, "PT", "0"),
    ("A312600024", 65_000, "PT", "0"), ("A278900271", 12_000, "PT", "0"),
    ("A108300319", 800, "PT", "0"), ("A330100204", 100_000, "PT", "0"),
]
REMAINDER = "B881000005"


def _account(number):
    return _one(SecuritiesAccount, number=number)


def _seed_holders():
    branch = _branch(("ZXZQ", "3101"))
    opened = datetime(2015, 6, 1, 9, 30)
    for name, holder_type, id_type, number, category, ymt_no, acct, kind, address in HOLDERS:
        investor = _one(Investor, id_type=id_type, id_number=number)
        if investor is None:
            investor = Investor(holder_type=holder_type, name=name, id_type=id_type,
                                id_number=number)
            db.session.add(investor)
        ymt = _one(YmtAccount, number=ymt_no)
        if ymt is None:
            ymt = YmtAccount(number=ymt_no, investor=investor, branch=branch, opened_at=opened)
            db.session.add(ymt)
        if _account(acct) is None:
            db.session.add(SecuritiesAccount(number=acct, market=SH, kind=kind, ymt_account=ymt,
                                             branch=branch, opened_at=opened))
        if _one(HolderProfile, investor_id=investor.id) is None:
            db.session.flush()
            db.session.add(HolderProfile(investor_id=investor.id, category=category,
                                         address=address, postcode="200120",
                                         phone="021-68870000"))
    for ymt_no, acct in EXTRA:
        if _account(acct) is None:
            db.session.add(SecuritiesAccount(number=acct, market=SH, kind=A_SHARE,
                                             ymt_account=_one(YmtAccount, number=ymt_no),
                                             branch=branch, opened_at=opened))
    db.session.flush()
    profiled = {p.investor_id for p in db.session.execute(db.select(HolderProfile)).scalars()}
    for investor in db.session.execute(db.select(Investor)).scalars():
        if investor.id not in profiled:  # every other demo holder: 未标识, an address
            category, address = ADDRESSES[investor.holder_type]
            if investor.name == "香港中央结算有限公司":
                category = "2200"
            db.session.add(HolderProfile(investor_id=investor.id, category=category,
                                         address=address, postcode="200120"))


def _seed_links():
    for number, kind in (("B880000002", MARGIN), ("B881000020", CSF)):
        account = _account(number)
        if _one(CollateralAccount, account_id=account.id) is None:
            db.session.add(CollateralAccount(account=account, kind=kind))
    links = [("E078900271", "B880000002"), ("E100000001", "B880000002"),
             ("E100000002", "B880000002"), ("B881000021", "B881000020")]
    for number, collateral in links:
        account = _account(number)
        if _one(CollateralLink, account_id=account.id) is None:
            db.session.add(CollateralLink(account=account,
                                          collateral_account=_account(collateral)))


class _Rows:
    def __init__(self, security):
        self.security, self.n = security, 0

    def add(self, number, day, quantity, kind, zqlb="PT", ltlx="0"):
        account = _account(number)
        self.n += 1
        db.session.add(HoldingChange(
            account=account, security=self.security, unit=_unit_for(account), trade_date=day,
            seq=self.n, kind=kind, quantity=quantity, zqlb=zqlb, ltlx=ltlx,
            gfxz="限售流通股" if zqlb == "XL" else ("非流通股" if ltlx == "D" else "无限售流通股"),
            source=SOURCE, ref=f"{REF}{self.security.code}-{self.n}"))


def _seed_issuer(today):
    security = _one(Security, market=SH, code=CODE)
    if security is None:
        security = Security(market=SH, code=CODE, name=NAME, kind=STOCK, listed_year=2019)
        db.session.add(security)
        db.session.flush()
    rows = _Rows(security)
    opening = trading_days.previous_trading_day(today - timedelta(days=300))
    for number, shares, zqlb, ltlx in OPENING:
        rows.add(number, opening, shares, "opening", zqlb, ltlx)
    rows.add(REMAINDER, opening, TOTAL - sum(s for _, s, _, _ in OPENING), "opening")
    # 约定购回: 王安 and 赵敏 sell into 中信证券's special account, to buy back later.
    start = trading_days.previous_trading_day(today - timedelta(days=60))
    for number, shares in (("A312600024", 60_000), ("A330100204", 40_000)):
        rows.add(number, start, -shares, "non_trade_out")
        rows.add("B881000022", start, shares, "non_trade_in")
        db.session.add(RepurchaseAgreement(
            special_account=_account("B881000022"), investor_account=_account(number),
            security=security, quantity=shares, start_date=start,
            due_date=trading_days.previous_trading_day(today + timedelta(days=120))))
    last = trading_days.previous_trading_day(today, inclusive=False)
    before_last = trading_days.previous_trading_day(last, inclusive=False)
    db.session.add(Freeze(account=_account("B881000003"), security=security,
                          unit=_unit_for(_account("B881000003")), kind="pledge",
                          quantity=10_000_000, start_date=before_last,
                          authority="中信证券股份有限公司", document="ZY-600888-01",
                          source=SOURCE, ref=f"{REF}600888-pledge"))
    rows.add("B880000001", last, -500_000, "sell")
    rows.add("B881000006", last, 1_200_000, "buy")   # QFII: 10,200,000 = 5.1 %
    rows.add(REMAINDER, last, -700_000, "sell")
    db.session.flush()
    day = last
    for _ in range(5):
        major_holders.run_day(security, day)
        day = trading_days.previous_trading_day(day, inclusive=False)


def _seed_bond_and_b_share(today):
    bond = _one(Security, market=SH, code="019547")
    rows = _Rows(bond)
    opening = trading_days.previous_trading_day(today - timedelta(days=300))
    rows.add("B882000001", opening, 500_000, "opening")
    pledged_on = trading_days.previous_trading_day(today - timedelta(days=20))
    for number, quantity in (("A312600024", 20_000), ("B882000001", 300_000)):
        rows.add(number, pledged_on, -quantity, "repo_pledge")
        rows.add("B881000023", pledged_on, quantity, "repo_pledge")
        db.session.add(RepoPledge(pledge_account=_account("B881000023"),
                                  investor_account=_account(number), security=bond,
                                  quantity=quantity, start_date=pledged_on))
    b_share = _one(Security, market=SH, code="900901")
    _Rows(b_share).add("C881000013", opening, 1_250_000, "opening")


def seed():
    _seed_holders()
    _seed_links()
    db.session.flush()
    done = db.session.execute(db.select(HoldingChange.id).where(
        HoldingChange.source == SOURCE, HoldingChange.ref.startswith(REF)).limit(1)).first()
    if done:
        return
    today = clock.today()
    # The 转融通 guarantee account trades like a credit account of the demo (a year).
    securities._history(_account("B881000020"), random.Random("B881000020"), today)
    _seed_bond_and_b_share(today)
    _seed_issuer(today)
    db.session.flush()


def logins():
    return [(f"发行人名册（ISS-1）：{CODE} {NAME} 的 T1–T5 名册（flask issuer register T1 {CODE} "
             "权益登记日 --out 目录），债券 019547 的 T6，B股 900901 的 B 股名册；持股5%以上股东"
             "最近5个交易日的名单和变化已计算（flask issuer major-holders）")]
