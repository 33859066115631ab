"""Investors' hall accounts (ACC-1..8): the 中国结算在线用户, what they agreed to, their
phone changes, and the identity checks that bind and activate a 一码通.

One phone ↔ one account, one verified e-mail ↔ one account, one openid ↔ one account, one 一码通 ↔ one account: each is a
unique column, so two racing requests cannot both win. Deregistration (ACC-6) deletes the
account; every row below it goes with it (``ON DELETE CASCADE``).
"""
from werkzeug.security import check_password_hash, generate_password_hash

from wechat_hall.extensions import db

from .base import utcnow
from .registry import _in

# IdentityVerification.purpose: what passing the check lets the user do.
ACTIVATE, CHANGE_PHONE, DEREGISTER, RECOVER = "activate", "change_phone", "deregister", "recover"
PURPOSES = {ACTIVATE: "绑定及激活一码通", CHANGE_PHONE: "变更手机号", DEREGISTER: "用户注销",
            RECOVER: "找回密码"}

# IdentityVerification.method (ACC-8 a–d)
RESERVED_PHONE, BANKCARD, TRADE_ORDER, COUNTER = "reserved_phone", "bankcard", "trade_order", "counter"
METHODS = {RESERVED_PHONE: "开户预留手机号认证", BANKCARD: "银联身份认证",
           TRADE_ORDER: "交易报盘身份认证", COUNTER: "临柜身份认证"}

# IdentityVerification.status
PENDING, VERIFIED, REJECTED, EXPIRED, CANCELLED = (
    "pending", "verified", "rejected", "expired", "cancelled")
STATUSES = {PENDING: "待认证", VERIFIED: "已通过", REJECTED: "未通过", EXPIRED: "已过期",
            CANCELLED: "已撤销"}


class HallUser(db.Model):
    """中国结算在线用户: signs in with phone + password; may be bound to one WeChat
    openid (ACC-3) and to one 一码通 once an identity check passed (ACC-8)."""

    __tablename__ = "hall_user"

    id = db.Column(db.Integer, primary_key=True)
    phone = db.Column(db.String(11), unique=True, nullable=False)
    # Optional, saved only once the code mailed to it was entered (PUB-2); 找回密码 by it.
    email = db.Column(db.String(254), unique=True)
    nickname = db.Column(db.String(32))
    password_hash = db.Column(db.String(255), nullable=False)
    openid = db.Column(db.String(64), unique=True)
    bound_at = db.Column(db.DateTime)
    ymt_account_id = db.Column(db.Integer, db.ForeignKey("ymt_account.id"), unique=True)
    activated_at = db.Column(db.DateTime)
    # Bumped when the password changes: every other session of the user ends.
    session_epoch = db.Column(db.Integer, nullable=False, default=0)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)
    password_changed_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    ymt_account = db.relationship("YmtAccount")
    agreements = db.relationship("AgreementAcceptance", back_populates="user",
                                 cascade="all, delete-orphan")
    phone_changes = db.relationship("PhoneChange", back_populates="user",
                                    cascade="all, delete-orphan",
                                    order_by="PhoneChange.changed_at")
    verifications = db.relationship("IdentityVerification", back_populates="user",
                                    cascade="all, delete-orphan",
                                    foreign_keys="IdentityVerification.user_id")

    @property
    def is_activated(self):
        return self.ymt_account_id is not None and self.activated_at is not None

    @property
    def investor(self):
        return self.ymt_account.investor if self.ymt_account else None

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def __str__(self):
        from wechat_hall.masking import mask_phone
        return mask_phone(self.phone)


class AgreementAcceptance(db.Model):
    """网上注册须知 / 在线用户服务协议 accepted at registration: which version, when, from where."""

    __tablename__ = "agreement_acceptance"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    code = db.Column(db.String(32), nullable=False)
    version = db.Column(db.String(16), nullable=False)
    accepted_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ip = db.Column(db.String(64))

    user = db.relationship("HallUser", back_populates="agreements")


class PhoneChange(db.Model):
    """One row per completed 变更手机号 (ACC-5): the 3-a-month rule counts these."""

    __tablename__ = "phone_change"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    old_phone_masked = db.Column(db.String(16), nullable=False)
    new_phone_masked = db.Column(db.String(16), nullable=False)
    changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("HallUser", back_populates="phone_changes")


class IdentityVerification(db.Model):
    """One identity check (ACC-8 a–d) of a user against a 一码通, for a purpose.

    The phone and bank-card checks pass or fail within the request and leave a
    ``verified`` row; the trade-order and counter checks stay ``pending`` until the trade
    feed or a counter decides. ``new_phone`` carries what a pending phone change will set.
    """

    __tablename__ = "identity_verification"
    __table_args__ = (
        db.CheckConstraint(_in("purpose", PURPOSES), name="purpose"),
        db.CheckConstraint(_in("method", METHODS), name="method"),
        db.CheckConstraint(_in("status", STATUSES), name="status"),
        db.Index("ix_identity_verification_pending", "method", "status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(32), unique=True, nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    purpose = db.Column(db.String(16), nullable=False)
    method = db.Column(db.String(16), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=PENDING)
    ymt_account_id = db.Column(db.Integer, db.ForeignKey("ymt_account.id"), nullable=False)
    securities_account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"))
    broker_branch_id = db.Column(db.Integer, db.ForeignKey("broker_branch.id"), index=True)
    trade_quantity = db.Column(db.Integer)
    new_phone = db.Column(db.String(11))
    card_fingerprint = db.Column(db.String(16))
    reason = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime)
    decided_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    matched_order_id = db.Column(db.Integer, db.ForeignKey("trade_feed_order.id"))
    applied_at = db.Column(db.DateTime)

    user = db.relationship("HallUser", back_populates="verifications", foreign_keys=[user_id])
    ymt_account = db.relationship("YmtAccount")
    securities_account = db.relationship("SecuritiesAccount")
    branch = db.relationship("BrokerBranch")
    decided_by = db.relationship("StaffUser")

    @property
    def method_label(self):
        return METHODS.get(self.method, self.method)

    @property
    def purpose_label(self):
        return PURPOSES.get(self.purpose, self.purpose)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)


class TradeFeedOrder(db.Model):
    """An order from the brokers' trade feed (``flask tradefeed import``). Only identity
    check orders are kept (证券代码 799991); the same order imported twice is one row."""

    __tablename__ = "trade_feed_order"
    __table_args__ = (db.UniqueConstraint("broker_code", "order_no", "trade_date", "account",
                                          name="uq_trade_feed_order_identity"),)

    id = db.Column(db.Integer, primary_key=True)
    trade_date = db.Column(db.Date, nullable=False)
    account = db.Column(db.String(10), nullable=False, index=True)
    security_code = db.Column(db.String(6), nullable=False)
    side = db.Column(db.String(1), nullable=False)
    price = db.Column(db.Numeric(10, 3), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    broker_code = db.Column(db.String(16), nullable=False, default="")
    order_no = db.Column(db.String(32), nullable=False, default="")
    source_file = db.Column(db.String(255))
    imported_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    matched_at = db.Column(db.DateTime)
