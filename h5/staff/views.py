"""Staff login, logout and the console home (/staff)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from wechat_hall import sessions
from wechat_hall.rate_limits import limited
from wechat_hall.services.accounts import staff_users
from wechat_hall.urls import local_path

from .access import signed_in_staff, staff_required
from .forms import LoginForm, LogoutForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

# What the console offers: label, role, endpoint, description.
CONSOLE = [
    ("后台管理", "admin", "admin.index", "办理地区与网点、业务类型、预约时段、员工账号"),
    ("客服工作台", "agent", "cs.console", "接待投资者在线咨询"),
    ("柜台叫号", "counter", "hall_desk.counter_pick", "柜台呼叫下一位、办理与过号"),
    ("临柜身份认证", "counter", "counter_checks.index", "核对投资者证件，确认或驳回一码通临柜认证"),
    ("取号机", "kiosk", "hall_desk.kiosk", "大厅取号与预约签到"),
    ("发行人业务", "issuer_desk", "issuer_desk.index", "审核名册查询申请、名册访问记录、查询费账户"),
]


@bp.route("/login", methods=["GET", "POST"])
@limited("staff_login_address")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if signed_in_staff() is not None:
            return redirect(local_path(form.next.data) or url_for("staff.home"))
    error = None
    if form.validate_on_submit():
        try:
            user = staff_users.authenticate(form.username.data, form.password.data)
        except staff_users.LoginRefused as exc:
            error = str(exc)
        else:
            target = local_path(form.next.data) or url_for("staff.home")
            # A new session for the new identity: nothing from before survives.
            session.clear()
            sessions.renew(session)
            login_user(user)
            sessions.track(session, f"staff:{user.id}")
            flash(f"欢迎，{user.display_name or user.username}。", "success")
            return redirect(target)
    return render_template("staff/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    if not LogoutForm().validate_on_submit():  # CSRFProtect has checked it already, too
        abort(400)
    from wechat_hall.services.support import assignment
    assignment.signed_out(current_user)  # an agent who leaves gets no new chats
    logout_user()
    session.clear()
    sessions.renew(session)  # the old id is deleted: a copied cookie opens nothing
    flash("您已安全退出。", "info")
    return redirect(url_for("staff.login"))


@bp.get("/")
@staff_required
def home():
    entries = []
    for label, role, endpoint, description in CONSOLE:
        if current_user.has_role(role):
            entries.append(dict(label=label, role=role, description=description,
                                url=url_for(endpoint)))
    return render_template("staff/home.html", entries=entries)
