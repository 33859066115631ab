"""Demo staff accounts, one per role (the passwords are printed by `make run`)."""
from models import ROLES, Office, StaffUser
from wechat_hall.extensions import db

STAFF = [
    ("admin", "系统管理员", "admin", "Admin@2026"),
    ("agent", "客服坐席小王", "agent", "Agent@2026"),
    ("counter", "柜台人员小李", "counter", "Counter@2026"),
    ("kiosk", "上海大厅取号机", "kiosk", "Kiosk@2026"),
    ("issuer_desk", "发行人业务部小陈", "issuer_desk", "Desk@2026"),
]


def logins():
    return [f"员工 {username} / {password}（{ROLES[roles]}）"
            for username, _, roles, password in STAFF]


def seed():
    shanghai = db.session.execute(db.select(Office).filter_by(code="SH")).scalar_one_or_none()
    for username, name, roles, password in STAFF:
        user = db.session.execute(db.select(StaffUser).filter_by(username=username)).scalar_one_or_none()
        if user is None:
            user = StaffUser(username=username, display_name=name, roles=roles,
                             office=shanghai if roles in ("counter", "kiosk") else None)
            user.set_password(password)
            db.session.add(user)
