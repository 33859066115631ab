"""Staff accounts of the hall: admins, customer-service agents, counter and kiosk staff."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from wechat_hall.extensions import db

from .base import utcnow

ROLES = {
    "admin": "管理员",
    "agent": "客服坐席",
    "counter": "柜台人员",
    "kiosk": "取号机",
    "issuer_desk": "发行人业务",
}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    display_name = db.Column(db.String(64), nullable=False, default="")
    password_hash = db.Column(db.String(255), nullable=False)
    # Space-separated role names from ROLES.
    roles = db.Column(db.String(128), nullable=False, default="")
    active = db.Column(db.Boolean, nullable=False, default=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"))
    # Counter staff at a broker's branch confirm 临柜身份认证 (ACC-8 d) for that branch
    # only; counter staff without one (the registrar's own counters) see every branch.
    broker_branch_id = db.Column(db.Integer, db.ForeignKey("broker_branch.id"))
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    office = db.relationship("Office")
    broker_branch = db.relationship("BrokerBranch")

    def get_id(self):
        # Prefixed so a staff session can never be mistaken for an investor's.
        return f"staff:{self.id}"

    @property
    def is_active(self):
        return bool(self.active)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def role_set(self):
        return set(self.roles.split())

    def has_role(self, *roles):
        """Admins may do everything staff may do."""
        mine = self.role_set
        return "admin" in mine or bool(mine.intersection(roles))

    @property
    def role_labels(self):
        return "、".join(ROLES.get(r, r) for r in self.roles.split())
