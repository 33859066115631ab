"""What the holder registers (ISS-1) and the 5 % alert (ISS-3) need beyond the ledger.

The ledger (``models.securities.HoldingChange``) already carries the share class of
every position (证券类别 PT/XL, 流通类型 0/A/B/C/D/F/N: restricted or not, 股份性质).
What it lacks:

* ``HolderProfile``: the 持有人类别 (HSTCYRLB) and the 通讯地址/邮编/电话 of an investor,
  as the registrar's account system has them. An investor without one is 1000/2000
  (自然人/非自然人, 未标识) with no address.
* ``CollateralAccount`` and ``CollateralLink``: a broker's 客户信用交易担保证券账户 (融资融券)
  or 中国证券金融股份有限公司's 转融通担保证券账户 is a registered holder; its shares are
  the sum of the accounts linked to it (the investors' 信用证券账户, or the brokers'
  担保证券明细账户), which the ledger records one by one. T1/T2 show the collateral
  account, T3 gives each linked account's shares to its owner, T5 lists them.
* ``RepurchaseAgreement``: 约定购回 — the shares sit in the broker's 约定购回专用账户 (in the
  ledger) and each agreement says for which investor, until it is bought back (T4).
* ``RepoPledge``: 债券回购质押 — bonds moved into the registrar's 质押专用账户 (in the
  ledger), per investor (T6).
* ``MajorHolderDay`` / ``MajorHolderChange`` / ``MajorHolderRun``: the 5 % holders of a
  security on a trading day (merged as T3) and what changed since the previous one.
"""
from wechat_hall.extensions import db

from .base import utcnow
from .registry import _in

# CollateralAccount.kind
MARGIN, CSF = "margin", "csf"
COLLATERAL_KINDS = {MARGIN: "证券公司客户信用交易担保证券账户",
                    CSF: "中国证券金融股份有限公司转融通担保证券账户"}

# MajorHolderChange.kind
ENTERED, LEFT, QUANTITY, RATIO, STATUS = "entered", "left", "quantity", "ratio", "status"
CHANGE_KINDS = {ENTERED: "新增持股5%以上", LEFT: "不再持股5%以上", QUANTITY: "持股数量变化",
                RATIO: "持股比例变化", STATUS: "持股状态变化（冻结、质押）"}


class HolderProfile(db.Model):
    """持有人类别 and contact of an investor, as the T1 register shows them."""

    __tablename__ = "holder_profile"

    id = db.Column(db.Integer, primary_key=True)
    investor_id = db.Column(db.Integer, db.ForeignKey("investor.id"), nullable=False,
                            unique=True)
    category = db.Column(db.String(4), nullable=False)  # HSTCYRLB 1000, 2010, 2002 …
    address = db.Column(db.String(120), nullable=False, default="")   # HSTTXDZ
    postcode = db.Column(db.String(6), nullable=False, default="")    # HSTYZBM
    phone = db.Column(db.String(30), nullable=False, default="")      # HSTDH

    investor = db.relationship("Investor")


class CollateralAccount(db.Model):
    """A registered collateral account (融资融券 or 转融通) whose holding is the sum of the
    accounts linked to it."""

    __tablename__ = "collateral_account"
    __table_args__ = (db.CheckConstraint(_in("kind", COLLATERAL_KINDS), name="kind"),)

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"), nullable=False,
                           unique=True)
    kind = db.Column(db.String(8), nullable=False, default=MARGIN)

    account = db.relationship("SecuritiesAccount")


class CollateralLink(db.Model):
    """A 信用证券账户 (or 担保证券明细账户) and the collateral account it is held under."""

    __tablename__ = "collateral_link"

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"), nullable=False,
                           unique=True)
    collateral_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"),
                                      nullable=False, index=True)

    account = db.relationship("SecuritiesAccount", foreign_keys=[account_id])
    collateral_account = db.relationship("SecuritiesAccount",
                                         foreign_keys=[collateral_account_id])


class RepurchaseAgreement(db.Model):
    """约定购回: ``quantity`` of a security sold into the broker's 专用账户 on ``start_date``
    for ``investor_account``; in effect until ``settled_on`` (购回 or 终止)."""

    __tablename__ = "repurchase_agreement"
    __table_args__ = (db.CheckConstraint("quantity > 0", name="quantity"),
                      db.Index("ix_repurchase_security", "security_id", "start_date"))

    id = db.Column(db.Integer, primary_key=True)
    special_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"),
                                   nullable=False)
    investor_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"),
                                    nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    start_date = db.Column(db.Date, nullable=False)   # 初始交易日
    due_date = db.Column(db.Date, nullable=False)     # 购回交易日
    settled_on = db.Column(db.Date)                   # 购回/终止日

    special_account = db.relationship("SecuritiesAccount", foreign_keys=[special_account_id])
    investor_account = db.relationship("SecuritiesAccount",
                                       foreign_keys=[investor_account_id])
    security = db.relationship("Security")


class RepoPledge(db.Model):
    """债券回购质押: ``quantity`` of a bond an investor moved into the 质押专用账户 on
    ``start_date`` (申报转移占有入质押库), until ``released_on``."""

    __tablename__ = "repo_pledge"
    __table_args__ = (db.CheckConstraint("quantity > 0", name="quantity"),
                      db.Index("ix_repo_pledge_security", "security_id", "start_date"))

    id = db.Column(db.Integer, primary_key=True)
    pledge_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"),
                                  nullable=False)
    investor_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"),
                                    nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    start_date = db.Column(db.Date, nullable=False)
    released_on = db.Column(db.Date)

    pledge_account = db.relationship("SecuritiesAccount", foreign_keys=[pledge_account_id])
    investor_account = db.relationship("SecuritiesAccount",
                                       foreign_keys=[investor_account_id])
    security = db.relationship("Security")


class MajorHolderRun(db.Model):
    """The 5 % computation of one security for one trading day: done once."""

    __tablename__ = "major_holder_run"
    __table_args__ = (db.UniqueConstraint("security_id", "day"),)

    id = db.Column(db.Integer, primary_key=True)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    previous_day = db.Column(db.Date, nullable=False)
    total_shares = db.Column(db.BigInteger, nullable=False)
    holders = db.Column(db.Integer, nullable=False)
    changes = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    security = db.relationship("Security")


class MajorHolderDay(db.Model):
    """每日持股5%以上股东名单: one holder (merged as T3) of one security on one day."""

    __tablename__ = "major_holder_day"
    __table_args__ = (db.UniqueConstraint("security_id", "day", "holder_key"),)

    id = db.Column(db.Integer, primary_key=True)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    holder_key = db.Column(db.String(200), nullable=False)  # 证件类别|证件号码|名称
    name = db.Column(db.String(128), nullable=False)
    id_type = db.Column(db.String(32), nullable=False)
    id_number = db.Column(db.String(32), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    ratio = db.Column(db.Numeric(9, 6), nullable=False)     # per cent of 总股本
    frozen = db.Column(db.BigInteger, nullable=False, default=0)   # 司法冻结 …
    pledged = db.Column(db.BigInteger, nullable=False, default=0)  # 质押登记


class MajorHolderChange(db.Model):
    """每日持股变化明细: one change of one 5 % holder against the previous trading day."""

    __tablename__ = "major_holder_change"
    __table_args__ = (db.CheckConstraint(_in("kind", CHANGE_KINDS), name="kind"),
                      db.Index("ix_major_holder_change_day", "security_id", "day"))

    id = db.Column(db.Integer, primary_key=True)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    holder_key = db.Column(db.String(200), nullable=False)
    name = db.Column(db.String(128), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    before = db.Column(db.String(64), nullable=False, default="")
    after = db.Column(db.String(64), nullable=False, default="")

    security = db.relationship("Security")

    @property
    def kind_label(self):
        return CHANGE_KINDS.get(self.kind, self.kind)
