"""The issuer portal (ISS-2 … ISS-6): issuers, their contacts, applications, the mailbox.

* ``Issuer`` (a listed company: name, market) owns securities (``IssuerSecurity``, one
  issuer per security); ``IssuerContact`` is a person of the issuer who signs in at
  ``/issuer/`` with a password and a TOTP second factor.
* ``IssuerApplication`` (ISS-2 名册查询申请) with its ``ApplicationAttachment`` rows (the
  files kept in the database, type- and size-checked before they get here); the issuer
  desk accepts or rejects it.
* ``MailboxItem``: a file in the 上市公司信箱 (under the instance directory), kept 60
  natural days and then removed by a timed job; ``RegisterAccess`` records who made,
  downloaded or removed which register, when (the audit trail the desk reads).
* ``FeeAccount`` / ``FeeEntry`` (ISS-6): the query-fee account, in fen, with every
  payment, annual fee and deduction; its balance is the sum of its entries.
* ``AlertPhone`` (手机号码维护), ``AlertSubscription`` (手机短信订阅, 业务关键字 = 证券代码)
  and ``AlertDelivery`` (one SMS per subscription and trading day) for ISS-3.
"""
from werkzeug.security import check_password_hash, generate_password_hash

from wechat_hall.extensions import db

from .base import utcnow
from .registry import _in

# IssuerApplication.status
SUBMITTED, ACCEPTED, REJECTED, DELIVERED, FAILED = (
    "submitted", "accepted", "rejected", "delivered", "failed")
APPLICATION_STATUSES = {SUBMITTED: "待审核", ACCEPTED: "已受理，生成中", REJECTED: "已驳回",
                        DELIVERED: "已发送至信箱", FAILED: "生成失败"}
# MailboxItem.source
FROM_APPLICATION, SCHEDULED = "application", "scheduled"
# RegisterAccess.action
MADE, DOWNLOADED, REMOVED = "made", "downloaded", "removed"
ACCESS_ACTIONS = {MADE: "生成", DOWNLOADED: "下载", REMOVED: "到期删除"}
# FeeEntry.kind
PAYMENT, ANNUAL_FEE, DEDUCTION, REFUND = "payment", "annual_fee", "deduction", "refund"
FEE_KINDS = {PAYMENT: "查询费入账", ANNUAL_FEE: "年度查询服务费", DEDUCTION: "扣款",
             REFUND: "退款"}
# AlertSubscription.message_type
MAJOR_HOLDERS = "major_holders"
MESSAGE_TYPES = {MAJOR_HOLDERS: "持股5%以上股东每日持股变化情况"}


class Issuer(db.Model):
    """A listed company (发行人)."""

    __tablename__ = "issuer"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    market = db.Column(db.String(2), nullable=False, default="SH")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    securities = db.relationship("IssuerSecurity", back_populates="issuer",
                                 order_by="IssuerSecurity.id")

    def __str__(self):
        return self.name


class IssuerSecurity(db.Model):
    """A security of an issuer (its A share, B share, bonds); one issuer each."""

    __tablename__ = "issuer_security"

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False,
                            unique=True)

    issuer = db.relationship("Issuer", back_populates="securities")
    security = db.relationship("Security")


class IssuerContact(db.Model):
    """A person of an issuer who signs in at /issuer/ (password + TOTP)."""

    __tablename__ = "issuer_contact"

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    login = db.Column(db.String(64), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    name = db.Column(db.String(40), nullable=False)
    title = db.Column(db.String(40), nullable=False, default="")  # 职务
    phone = db.Column(db.String(11), nullable=False, default="")
    totp_secret = db.Column(db.String(64), nullable=False)
    # The last TOTP time step accepted: a code is used once.
    totp_last_step = db.Column(db.BigInteger, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)
    session_epoch = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    issuer = db.relationship("Issuer")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class IssuerApplication(db.Model):
    """证券持有人名册查询申请 (ISS-2)."""

    __tablename__ = "issuer_application"
    __table_args__ = (db.CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),)

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    contact_id = db.Column(db.Integer, db.ForeignKey("issuer_contact.id"), nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    record_date = db.Column(db.Date, nullable=False)       # 股权登记日
    kinds = db.Column(db.String(24), nullable=False)        # 名册种类: "T1 T5" …
    top = db.Column(db.Integer)                             # 前N名数量 (T2, T3)
    share_class = db.Column(db.String(2), nullable=False, default="03")  # 证券类型 xx
    fmt = db.Column(db.String(4), nullable=False, default="dbf")
    reason = db.Column(db.String(40), nullable=False)       # 申请原因
    note = db.Column(db.String(500), nullable=False, default="")
    contact_name = db.Column(db.String(40), nullable=False)
    contact_phone = db.Column(db.String(20), nullable=False)
    meeting_date = db.Column(db.Date)                        # 召开股东大会: the meeting
    late_warning = db.Column(db.String(200), nullable=False, default="")
    status = db.Column(db.String(10), nullable=False, default=SUBMITTED)
    reject_reason = db.Column(db.String(200), nullable=False, default="")
    failure = db.Column(db.String(300), nullable=False, default="")
    reviewed_by_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    reviewed_at = db.Column(db.DateTime)
    delivered_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    issuer = db.relationship("Issuer")
    contact = db.relationship("IssuerContact")
    security = db.relationship("Security")
    reviewed_by = db.relationship("StaffUser")
    attachments = db.relationship("ApplicationAttachment", back_populates="application",
                                  order_by="ApplicationAttachment.id")

    @property
    def status_label(self):
        return APPLICATION_STATUSES.get(self.status, self.status)


class ApplicationAttachment(db.Model):
    """附件 of an application: a checked document kept in the database."""

    __tablename__ = "issuer_application_attachment"

    id = db.Column(db.Integer, primary_key=True)
    # Of a register application (ISS-2) or of a written certificate (ISS-5).
    application_id = db.Column(db.Integer, db.ForeignKey("issuer_application.id"), index=True)
    certificate_id = db.Column(db.Integer, db.ForeignKey("issuer_written_certificate.id"),
                               index=True)
    file_name = db.Column(db.String(120), nullable=False)
    content_type = db.Column(db.String(80), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    data = db.Column(db.LargeBinary, nullable=False)

    application = db.relationship("IssuerApplication", back_populates="attachments")


class MailboxItem(db.Model):
    """A file in an issuer's 上市公司信箱 (kept 60 natural days)."""

    __tablename__ = "issuer_mailbox_item"

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    application_id = db.Column(db.Integer, db.ForeignKey("issuer_application.id"))
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    source = db.Column(db.String(12), nullable=False, default=FROM_APPLICATION)
    # A scheduled push is made once: "<kind>:<code>:<xx>:<top>:<record date>".
    push_key = db.Column(db.String(80), unique=True)
    kind = db.Column(db.String(2), nullable=False)
    file_name = db.Column(db.String(80), nullable=False)
    stored_name = db.Column(db.String(120), nullable=False, unique=True)  # under the instance
    size = db.Column(db.Integer, nullable=False, default=0)
    rows = db.Column(db.Integer, nullable=False, default=0)
    record_date = db.Column(db.Date, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_on = db.Column(db.Date, nullable=False, index=True)
    removed_at = db.Column(db.DateTime)

    issuer = db.relationship("Issuer")
    security = db.relationship("Security")
    application = db.relationship("IssuerApplication")


class RegisterAccess(db.Model):
    """Who made, downloaded or removed which register file, when (audit)."""

    __tablename__ = "issuer_register_access"
    __table_args__ = (db.CheckConstraint(_in("action", ACCESS_ACTIONS), name="action"),)

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("issuer_mailbox_item.id"), nullable=False,
                        index=True)
    action = db.Column(db.String(10), nullable=False)
    contact_id = db.Column(db.Integer, db.ForeignKey("issuer_contact.id"))
    staff_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    address = db.Column(db.String(45), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    item = db.relationship("MailboxItem")
    contact = db.relationship("IssuerContact")
    staff = db.relationship("StaffUser")

    @property
    def action_label(self):
        return ACCESS_ACTIONS.get(self.action, self.action)


class FeeAccount(db.Model):
    """The query-fee account of an issuer (ISS-6); amounts in fen."""

    __tablename__ = "issuer_fee_account"

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, unique=True)
    balance = db.Column(db.BigInteger, nullable=False, default=0)

    issuer = db.relationship("Issuer")


class FeeEntry(db.Model):
    """One change of a fee account: positive in, negative out."""

    __tablename__ = "issuer_fee_entry"
    __table_args__ = (db.CheckConstraint(_in("kind", FEE_KINDS), name="kind"),)

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("issuer_fee_account.id"), nullable=False,
                           index=True)
    kind = db.Column(db.String(12), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    balance_after = db.Column(db.BigInteger, nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    # Makes an entry once (the annual fee of a year and share kind: "annual:2026:A").
    ref = db.Column(db.String(60), unique=True)
    staff_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def kind_label(self):
        return FEE_KINDS.get(self.kind, self.kind)


class AlertPhone(db.Model):
    """手机号码维护: a phone of the issuer's people, verified by an SMS code."""

    __tablename__ = "issuer_alert_phone"
    __table_args__ = (db.UniqueConstraint("issuer_id", "phone"),)

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False)
    phone = db.Column(db.String(11), nullable=False)
    name = db.Column(db.String(40), nullable=False)
    title = db.Column(db.String(40), nullable=False, default="")
    verified_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class AlertSubscription(db.Model):
    """手机短信订阅: a phone, a message type and its 业务关键字 (the 证券代码)."""

    __tablename__ = "issuer_alert_subscription"
    __table_args__ = (db.UniqueConstraint("phone_id", "message_type", "security_id"),
                      db.CheckConstraint(_in("message_type", MESSAGE_TYPES),
                                         name="message_type"))

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    phone_id = db.Column(db.Integer, db.ForeignKey("issuer_alert_phone.id"), nullable=False)
    message_type = db.Column(db.String(16), nullable=False, default=MAJOR_HOLDERS)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    phone = db.relationship("AlertPhone")
    security = db.relationship("Security")


class AlertDelivery(db.Model):
    """The SMS of one subscription for one trading day's changes: sent once."""

    __tablename__ = "issuer_alert_delivery"
    __table_args__ = (db.UniqueConstraint("subscription_id", "day"),)

    id = db.Column(db.Integer, primary_key=True)
    subscription_id = db.Column(db.Integer, db.ForeignKey("issuer_alert_subscription.id"),
                                nullable=False)
    day = db.Column(db.Date, nullable=False)
    sent_at = db.Column(db.DateTime, nullable=False, default=utcnow)
