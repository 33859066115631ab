"""Flask-Login's user loader: staff sessions are ``staff:<id>``."""
from wechat_hall.extensions import db, login_manager

login_manager.login_view = "staff.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id):
    from models import StaffUser
    kind, _, raw = (user_id or "").partition(":")
    if kind == "staff" and raw.isdigit():
        return db.session.get(StaffUser, int(raw))
    return None
