"""电子凭证 (Q-8): a user's request for a signed PDF of Q-2, Q-3 or Q-4, and the per-day
counter that enforces the limit of 5 requests per user per (Shanghai) day."""
from wechat_hall.extensions import db

from .base import utcnow
from .registry import _in

HOLDINGS, CHANGES, FREEZES = "holdings", "changes", "freezes"
KINDS = {HOLDINGS: "证券持有余额", CHANGES: "证券持有变更", FREEZES: "证券冻结情况"}

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = {PENDING: "生成中", SENT: "已发送", FAILED: "发送失败"}


class CertificateRequest(db.Model):
    __tablename__ = "certificate_request"
    __table_args__ = (db.CheckConstraint(_in("kind", KINDS), name="kind"),
                      db.CheckConstraint(_in("status", STATUSES), name="status"),
                      db.Index("ix_certificate_request_user", "user_id", "created_at"))

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="CASCADE"),
                        nullable=False)
    # Kept when the user deregisters? No: the request goes with the user; the verification
    # record below keeps what a third party needs.
    kind = db.Column(db.String(16), nullable=False)
    account_id = db.Column(db.Integer, db.ForeignKey("securities_account.id"))  # None: all
    market = db.Column(db.String(2))  # None: all
    date_from = db.Column(db.Date, nullable=False)  # the date or the range start
    date_to = db.Column(db.Date, nullable=False)
    email = db.Column(db.String(254), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=PENDING)
    error = db.Column(db.String(255))
    code = db.Column(db.String(24), unique=True, nullable=False)  # 验证码 printed on the PDF
    holder_name = db.Column(db.String(128), nullable=False)
    ymt_number = db.Column(db.String(12), nullable=False)
    row_count = db.Column(db.Integer)
    pdf_sha256 = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    issued_at = db.Column(db.DateTime)  # the time printed on the PDF
    sent_at = db.Column(db.DateTime)

    account = db.relationship("SecuritiesAccount")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)


class CertificateQuota(db.Model):
    """Requests used by a user on a Shanghai business day: taken with one conditional
    UPDATE, so two racing requests cannot both be the 5th."""

    __tablename__ = "certificate_quota"
    __table_args__ = (db.UniqueConstraint("user_id", "day"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="CASCADE"),
                        nullable=False)
    day = db.Column(db.Date, nullable=False)
    used = db.Column(db.Integer, nullable=False, default=0)
