"""The registrar's register as the hall sees it (ACC-8, Q-1): brokers and their branches,
investors (持有人), their 一码通 accounts and the securities accounts linked to them.

In production these rows mirror the registrar's account system; in development and tests
the demo seeder fills them. Numbers are stored normalised (upper case, no spaces) by
``wechat_hall.services.accounts.id_numbers``; the labels of ID types live there too.
"""
import re

from wechat_hall.extensions import db

from .base import utcnow

# 用户类型 / 持有人类别
INDIVIDUAL, INSTITUTION = "individual", "institution"
HOLDER_TYPES = {INDIVIDUAL: "个人", INSTITUTION: "机构"}

# 交易市场
SH, SZ, BJ = "SH", "SZ", "BJ"
MARKETS = {SH: "上海", SZ: "深圳", BJ: "北京"}
MARKET_SHORT = {SH: "沪", SZ: "深", BJ: "京"}

# 证券账户号码 (normalised): 沪市 a letter and 9 digits (A123456789), 深市 and 北交所 10
# digits (0123456789). The one statement of the format: the hall's checks
# (services/accounts/id_numbers.py), the holder register's parser and the split votes use it.
SH_ACCOUNT_RE = re.compile(r"[A-Z]\d{9}")
SZ_ACCOUNT_RE = re.compile(r"\d{10}")


def is_account_number(number):
    return bool(SH_ACCOUNT_RE.fullmatch(number) or SZ_ACCOUNT_RE.fullmatch(number))

# 证券账户类别
A_SHARE, B_SHARE, CLOSED_FUND, CREDIT = "a_share", "b_share", "closed_fund", "credit"
ACCOUNT_KINDS = {A_SHARE: "A股账户", B_SHARE: "B股账户", CLOSED_FUND: "封闭式基金账户",
                 CREDIT: "信用账户"}
KIND_SHORT = {A_SHARE: "A", B_SHARE: "B", CLOSED_FUND: "基金", CREDIT: "信用"}

# 账户状态
NORMAL, DORMANT, FROZEN, CANCELLED = "normal", "dormant", "frozen", "cancelled"
YMT_STATUSES = {NORMAL: "正常", CANCELLED: "注销"}
ACCOUNT_STATUSES = {NORMAL: "正常", DORMANT: "休眠", FROZEN: "冻结", CANCELLED: "注销"}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Broker(db.Model):
    """证券公司: the 开户代理机构 of accounts and the 身份认证机构 of ACC-8 (d)."""

    __tablename__ = "broker"

    id = db.Column(db.Integer, primary_key=True)
    # Also the trade feed's broker_code (ACC-8 c).
    code = db.Column(db.String(16), unique=True, nullable=False)
    name = db.Column(db.String(64), nullable=False)  # 中信证券
    active = db.Column(db.Boolean, nullable=False, default=True)

    branches = db.relationship("BrokerBranch", back_populates="broker",
                               order_by="BrokerBranch.code")

    def __str__(self):
        return self.name


class BrokerBranch(db.Model):
    """营业部 of a broker. ``counter_verification``: the branch accepts 临柜身份认证
    (the registrar authorises head offices; each branch decides whether it takes it)."""

    __tablename__ = "broker_branch"
    __table_args__ = (db.UniqueConstraint("broker_id", "code"),)

    id = db.Column(db.Integer, primary_key=True)
    broker_id = db.Column(db.Integer, db.ForeignKey("broker.id"), nullable=False)
    code = db.Column(db.String(16), nullable=False)
    name = db.Column(db.String(128), nullable=False)  # 中信证券上海淮海中路证券营业部
    city = db.Column(db.String(32), nullable=False, default="")
    counter_verification = db.Column(db.Boolean, nullable=False, default=True)
    active = db.Column(db.Boolean, nullable=False, default=True)

    broker = db.relationship("Broker", back_populates="branches")

    def __str__(self):
        return self.name


class Investor(db.Model):
    """持有人: one per (证件类型, 证件号码). The name is the holder's name or the
    institution's full name as registered."""

    __tablename__ = "investor"
    __table_args__ = (db.UniqueConstraint("id_type", "id_number"),
                      db.CheckConstraint(_in("holder_type", HOLDER_TYPES), name="holder_type"))

    id = db.Column(db.Integer, primary_key=True)
    holder_type = db.Column(db.String(16), nullable=False, default=INDIVIDUAL)
    name = db.Column(db.String(128), nullable=False)
    id_type = db.Column(db.String(32), nullable=False)  # services.accounts.id_numbers.ID_TYPES
    id_number = db.Column(db.String(32), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    ymt_accounts = db.relationship("YmtAccount", back_populates="investor",
                                   order_by="YmtAccount.number")

    @property
    def holder_type_label(self):
        return HOLDER_TYPES.get(self.holder_type, self.holder_type)

    def __str__(self):
        return self.name


class YmtAccount(db.Model):
    """一码通账户 (12 digits): groups an investor's securities accounts. The phone
    reserved at account opening (开户预留手机号) receives the code of ACC-8 (a); old
    accounts may have none."""

    __tablename__ = "ymt_account"
    __table_args__ = (db.CheckConstraint(_in("status", YMT_STATUSES), name="status"),)

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(12), unique=True, nullable=False)
    investor_id = db.Column(db.Integer, db.ForeignKey("investor.id"), nullable=False, index=True)
    reserved_phone = db.Column(db.String(20))
    status = db.Column(db.String(16), nullable=False, default=NORMAL)
    branch_id = db.Column(db.Integer, db.ForeignKey("broker_branch.id"), nullable=False)
    opened_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    cancelled_at = db.Column(db.DateTime)

    investor = db.relationship("Investor", back_populates="ymt_accounts")
    branch = db.relationship("BrokerBranch")
    securities_accounts = db.relationship("SecuritiesAccount", back_populates="ymt_account",
                                          order_by="SecuritiesAccount.number")

    @property
    def is_active(self):
        return self.status == NORMAL

    @property
    def status_label(self):
        return YMT_STATUSES.get(self.status, self.status)

    def __str__(self):
        return self.number


class SecuritiesAccount(db.Model):
    """证券账户 linked to a 一码通; its number as :data:`SH_ACCOUNT_RE` or
    :data:`SZ_ACCOUNT_RE` say."""

    __tablename__ = "securities_account"
    __table_args__ = (db.CheckConstraint(_in("market", MARKETS), name="market"),
                      db.CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status"))

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(10), unique=True, nullable=False)
    market = db.Column(db.String(2), nullable=False)
    kind = db.Column(db.String(16), nullable=False, default=A_SHARE)  # ACCOUNT_KINDS
    ymt_account_id = db.Column(db.Integer, db.ForeignKey("ymt_account.id"), nullable=False,
                               index=True)
    status = db.Column(db.String(16), nullable=False, default=NORMAL)
    branch_id = db.Column(db.Integer, db.ForeignKey("broker_branch.id"), nullable=False)
    opened_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    cancelled_at = db.Column(db.DateTime)

    ymt_account = db.relationship("YmtAccount", back_populates="securities_accounts")
    branch = db.relationship("BrokerBranch")

    @property
    def market_label(self):
        return MARKETS.get(self.market, self.market)

    @property
    def kind_label(self):
        return ACCOUNT_KINDS.get(self.kind, self.kind)

    @property
    def short_label(self):
        """沪A, 深B, 沪基金, 深信用 …"""
        return MARKET_SHORT.get(self.market, "") + KIND_SHORT.get(self.kind, self.kind)

    @property
    def status_label(self):
        return ACCOUNT_STATUSES.get(self.status, self.status)

    @property
    def is_active(self):
        return self.status == NORMAL

    def __str__(self):
        return self.number


class DemoBankCard(db.Model):
    """The bank cards the development bank-card check (ACC-8 b, ``BANKCARD_BACKEND=dev``)
    knows: four elements that belong together. Development and tests only."""

    __tablename__ = "demo_bank_card"

    id = db.Column(db.Integer, primary_key=True)
    card_number = db.Column(db.String(19), unique=True, nullable=False)  # Luhn-valid
    holder_name = db.Column(db.String(64), nullable=False)
    id_number = db.Column(db.String(32), nullable=False)
    phone = db.Column(db.String(20), nullable=False)  # 银行预留手机号
    bank_name = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __str__(self):
        return f"{self.bank_name} {self.card_number[-4:]}"
