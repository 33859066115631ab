"""Crafted ledgers for the register and 5 % tests: investors, 一码通, accounts, positions
written as HoldingChange rows, freezes and collateral links, all by hand."""
from datetime import date, datetime
from itertools import count

from models import (
    Broker,
    BrokerBranch,
    CollateralAccount,
    CollateralLink,
    CustodianUnit,
    Freeze,
    HolderProfile,
    HoldingChange,
    Investor,
    SecuritiesAccount,
    Security,
    YmtAccount,
)
from models.registry import CREDIT, INDIVIDUAL, INSTITUTION
from wechat_hall.extensions import db

# Frozen clock: 16:00 in Shanghai on Tuesday 2026-11-24 (after the close).
NOW = datetime(2026, 11, 24, 8, 0)
DAY = date(2026, 11, 23)          # a Monday, trading day: the record date of most tests
FRIDAY = date(2026, 11, 20)


class World:
    def __init__(self, code="600123", name="测试股份", kind="stock", first=1):
        self.broker = Broker(code="TB", name="测试证券")
        self.branch = BrokerBranch(broker=self.broker, code="01", name="测试证券上海营业部")
        self.units = [CustodianUnit(market="SH", code=f"3100{i}", name=f"单元{i}")
                      for i in range(2)]
        self.security = Security(market="SH", code=code, name=name, kind=kind)
        db.session.add_all([self.branch, self.security, *self.units])
        self._ymt, self._acct, self._ref = count(first), count(first), count(first)

    def person(self, name, id_number, id_type="resident_id", institution=False,
               category=None, address=""):
        investor = Investor(name=name, id_type=id_type, id_number=id_number,
                            holder_type=INSTITUTION if institution else INDIVIDUAL)
        db.session.add(investor)
        if category or address:
            db.session.add(HolderProfile(investor=investor, category=category or "1000",
                                         address=address, postcode="200000", phone="021-1"))
        return investor

    def ymt(self, investor):
        ymt = YmtAccount(number=f"1899{next(self._ymt):08d}", investor=investor,
                         branch=self.branch)
        db.session.add(ymt)
        return ymt

    def account(self, ymt, kind="a_share", letter="A"):
        account = SecuritiesAccount(number=f"{letter}{next(self._acct):09d}", market="SH",
                                    kind=kind, ymt_account=ymt, branch=self.branch)
        db.session.add(account)
        return account

    def holder(self, name, id_number, quantity=0, day=FRIDAY, **kw):
        """A person with one 一码通 and one account holding ``quantity``."""
        investor = self.person(name, id_number, **{k: v for k, v in kw.items()
                                                  if k in ("id_type", "institution",
                                                           "category", "address")})
        account = self.account(self.ymt(investor))
        if quantity:
            self.hold(account, quantity, day, **{k: v for k, v in kw.items()
                                                 if k in ("zqlb", "ltlx")})
        return account

    def hold(self, account, quantity, day=FRIDAY, zqlb="PT", ltlx="0", unit=0,
             security=None):
        db.session.add(HoldingChange(
            account=account, security=security or self.security, unit=self.units[unit],
            trade_date=day, kind="buy" if quantity > 0 else "sell", quantity=quantity,
            zqlb=zqlb, ltlx=ltlx, source="test", ref=f"r{next(self._ref)}"))

    def freeze(self, account, quantity, start=FRIDAY, kind="pledge", released=None):
        db.session.add(Freeze(account=account, security=self.security, unit=self.units[0],
                              kind=kind, quantity=quantity, start_date=start,
                              released_on=released, authority="质权人",
                              source="test", ref=f"f{next(self._ref)}"))

    def collateral(self, name="测试证券客户信用交易担保证券账户", kind="margin"):
        broker = self.person(name, "91310000TESTCOLL0", id_type="uscc", institution=True)
        account = self.account(self.ymt(broker), letter="B")
        db.session.add(CollateralAccount(account=account, kind=kind))
        return account

    def credit_account(self, investor, collateral):
        ymt = investor.ymt_accounts[0] if investor.ymt_accounts else self.ymt(investor)
        account = self.account(ymt, kind=CREDIT, letter="E")
        db.session.add(CollateralLink(account=account, collateral_account=collateral))
        return account
