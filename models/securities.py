"""What the registrar records about securities and their holders (Q-2..Q-7).

* ``Security``: one row per (market, code), with the 证券类别 that sets the unit (股/份/元).
* ``CustodianUnit``: 托管单元 (a broker seat) where a holding is kept.
* ``HoldingChange``: the ledger. A holding is never stored as a number that is
  overwritten: every change of an account's position is a row, and the balance on a date
  is the sum of the rows up to that date (docs/QUERIES.md, "balance at a date"). A
  position is keyed by (account, security, custodian unit, share class); the share class
  is the T1 register's ZQLB/LTLX/QYLB with 挂牌年份, 权益次数 and 股份性质.
* ``Freeze``: 司法冻结, 质押登记 … with their start, end and release.
* ``IpoSubscription``: 新股/可转债 subscriptions, their allotment numbers, wins and
  payment; an unpaid win is the 放弃认购 of Q-7.
* ``Dividend``: a cash distribution (per share, record date, pay date); the tax of Q-6
  is computed from the ledger (first in, first out), never stored.
"""
from wechat_hall.extensions import db

from .base import utcnow
from .registry import MARKETS, _in

# 证券品种: decides the unit of a quantity (seed note 4).
STOCK, B_STOCK, FUND, BOND, CONVERTIBLE, WARRANT, PREFERRED = (
    "stock", "b_stock", "fund", "bond", "convertible", "warrant", "preferred")
SECURITY_TYPES = {STOCK: "A股", B_STOCK: "B股", FUND: "基金", BOND: "债券",
                  CONVERTIBLE: "可转债", WARRANT: "权证", PREFERRED: "优先股"}
UNITS = {STOCK: "股", B_STOCK: "股", PREFERRED: "股", FUND: "份", WARRANT: "份",
         BOND: "元", CONVERTIBLE: "元"}

# T1 codes (seed 002, docs/HOLDER_REGISTER.md).
ZQLB = {"PT": "普通", "XL": "限售"}  # 证券类别
LTLX = {"0": "无限售流通股", "A": "首发后限售股", "B": "股权激励限售股", "C": "首发前限售股",
        "D": "非流通股", "F": "高管锁定股", "N": "其他"}  # 流通类型 (as adapters/holder_register)
QYLB = {"": "", "HL": "红利", "P": "配股", "S": "送股"}  # 权益类别

# HoldingChange.kind: the 变更摘要 of Q-3.
CHANGE_KINDS = {
    "opening": "期初余额", "buy": "买入", "sell": "卖出", "ipo": "新股入账",
    "bonus": "送股", "rights": "配股", "transfer_in": "转托管转入",
    "transfer_out": "转托管转出", "non_trade_in": "非交易过户转入",
    "repo_pledge": "回购质押入库",
    "non_trade_out": "非交易过户转出", "register": "名册核对调整", "redeem": "兑付注销",
}

# Freeze.kind
FREEZE_KINDS = {"judicial": "司法冻结", "judicial_wait": "司法轮候冻结",
                "pledge": "质押登记", "assist": "协助冻结", "lockup": "限售冻结"}


class Security(db.Model):
    __tablename__ = "security"
    __table_args__ = (db.UniqueConstraint("market", "code"),
                      db.CheckConstraint(_in("market", MARKETS), name="market"),
                      db.CheckConstraint(_in("kind", SECURITY_TYPES), name="kind"))

    id = db.Column(db.Integer, primary_key=True)
    market = db.Column(db.String(2), nullable=False)
    code = db.Column(db.String(6), nullable=False)
    name = db.Column(db.String(32), nullable=False)  # 证券简称
    kind = db.Column(db.String(16), nullable=False, default=STOCK)
    listed_year = db.Column(db.Integer)  # 挂牌年份 of the security itself

    @property
    def unit(self):
        return UNITS.get(self.kind, "股")

    @property
    def kind_label(self):
        return SECURITY_TYPES.get(self.kind, self.kind)

    def __str__(self):
        return f"{self.code} {self.name}"


class CustodianUnit(db.Model):
    """托管单元: the broker seat (交易单元) an account's securities are kept under."""

    __tablename__ = "custodian_unit"
    __table_args__ = (db.UniqueConstraint("market", "code"),
                      db.CheckConstraint(_in("market", MARKETS), name="market"))

    id = db.Column(db.Integer, primary_key=True)
    market = db.Column(db.String(2), nullable=False)
    code = db.Column(db.String(8), nullable=False)  # 上海 5 位, 深圳 6 位
    name = db.Column(db.String(128), nullable=False)
    broker_id = db.Column(db.Integer, db.ForeignKey("broker.id"))

    broker = db.relationship("Broker")

    def __str__(self):
        return self.name


class HoldingChange(db.Model):
    """One change of one position on one business date (the ledger of Q-2/Q-3).

    ``source``/``ref`` name where the row came from (an import file's natural key, the
    demo generator …): unique together, so importing the same file twice adds nothing.
    ``seq`` orders rows of the same day.
    """

    __tablename__ = "holding_change"
    __table_args__ = (
        db.UniqueConstraint("source", "ref"),
        db.CheckConstraint(_in("zqlb", ZQLB), name="zqlb"),
        db.Index("ix_holding_change_account_date", "account_id", "trade_date", "seq"),
        db.Index("ix_holding_change_position", "account_id", "security_id", "trade_date"),
    )

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"), nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False,
                            index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("custodian_unit.id"), nullable=False)
    trade_date = db.Column(db.Date, nullable=False)
    seq = db.Column(db.Integer, nullable=False, default=0)
    kind = db.Column(db.String(16), nullable=False)  # CHANGE_KINDS
    quantity = db.Column(db.BigInteger, nullable=False)  # signed
    # Share class (T1): 证券类别, 流通类型, 权益类别, 挂牌年份, 权益次数, 股份性质.
    zqlb = db.Column(db.String(2), nullable=False, default="PT")
    ltlx = db.Column(db.String(1), nullable=False, default="0")
    qylb = db.Column(db.String(2), nullable=False, default="")
    gpnf = db.Column(db.Integer, nullable=False, default=0)
    qycs = db.Column(db.Integer, nullable=False, default=0)
    gfxz = db.Column(db.String(32), nullable=False, default="无限售流通股")
    source = db.Column(db.String(32), nullable=False)
    ref = db.Column(db.String(96), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    account = db.relationship("SecuritiesAccount")
    security = db.relationship("Security")
    unit = db.relationship("CustodianUnit")

    @property
    def kind_label(self):
        return CHANGE_KINDS.get(self.kind, self.kind)


class Freeze(db.Model):
    """A freeze or pledge of part of a position. In effect on day D when
    ``start_date <= D`` and neither ``end_date`` nor ``released_on`` is on or before D."""

    __tablename__ = "security_freeze"
    __table_args__ = (db.UniqueConstraint("source", "ref"),
                      db.CheckConstraint(_in("kind", FREEZE_KINDS), name="kind"),
                      db.Index("ix_security_freeze_account", "account_id", "start_date"))

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"), nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("custodian_unit.id"), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date)  # 冻结到期日 / 质押到期日
    released_on = db.Column(db.Date)  # 解冻/解除质押日
    authority = db.Column(db.String(128), nullable=False)  # 冻结机关 or 质权人
    document = db.Column(db.String(64), nullable=False, default="")  # 文书号/质押编号
    source = db.Column(db.String(32), nullable=False)
    ref = db.Column(db.String(96), nullable=False)

    account = db.relationship("SecuritiesAccount")
    security = db.relationship("Security")
    unit = db.relationship("CustodianUnit")

    @property
    def kind_label(self):
        return FREEZE_KINDS.get(self.kind, self.kind)


class IpoSubscription(db.Model):
    """A subscription for a new issue: its allotment numbers (配号), its wins (中签) and
    how much of the win was paid. ``won_quantity - paid_quantity`` > 0 is a 放弃认购."""

    __tablename__ = "ipo_subscription"
    __table_args__ = (db.UniqueConstraint("account_id", "security_id", "subscribed_on"),
                      db.Index("ix_ipo_subscription_account", "account_id", "subscribed_on"))

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"), nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    subscribed_on = db.Column(db.Date, nullable=False)  # T
    subscribe_code = db.Column(db.String(6), nullable=False)  # 申购代码 (沪 732xxx …)
    quantity = db.Column(db.BigInteger, nullable=False)  # 申购数量
    first_number = db.Column(db.String(12), nullable=False)  # 起始配号
    number_count = db.Column(db.Integer, nullable=False)  # 配号数量
    won_count = db.Column(db.Integer, nullable=False, default=0)  # 中签签数
    won_quantity = db.Column(db.BigInteger, nullable=False, default=0)  # 中签数量
    paid_quantity = db.Column(db.BigInteger, nullable=False, default=0)  # 缴款认购数量
    pay_date = db.Column(db.Date, nullable=False)  # T+2 缴款日

    account = db.relationship("SecuritiesAccount")
    security = db.relationship("Security")

    @property
    def abandoned_quantity(self):
        return max(0, self.won_quantity - self.paid_quantity)


class Dividend(db.Model):
    """A cash dividend of a security: 股权登记日, 除息日, 派息日 and the amount per share."""

    __tablename__ = "dividend"
    __table_args__ = (db.UniqueConstraint("security_id", "record_date"),)

    id = db.Column(db.Integer, primary_key=True)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    record_date = db.Column(db.Date, nullable=False, index=True)
    ex_date = db.Column(db.Date, nullable=False)
    pay_date = db.Column(db.Date, nullable=False)
    per_share = db.Column(db.Numeric(12, 6), nullable=False)  # 每股派息（税前，元）

    security = db.relationship("Security")
