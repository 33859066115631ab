"""The seed's confirmation pages: 激活信息确认, 修改手机号信息确认 (after step 2's check passed
within the request, methods a and b) and 找回密码信息确认 (after the new password).

Each page says what will change, with 确认 / 返回; nothing is applied before 确认. A check
that passed is held in the check's flow (``passed``: the method and, for a bank card, its
fingerprint — never a code); the new password of 找回密码 is not kept anywhere: the
confirmation page posts it again, as the ballot's preview does (no-store).
"""
from flask import Blueprint, redirect, render_template, url_for

from models.accounts import ACTIVATE, CHANGE_PHONE, METHODS, RECOVER
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import identity_checks
from wechat_hall.services.accounts.hall_users import AccountError

from . import flow
from .forms import EmptyForm
from .verification_flow import (
    ACCOUNT_EMAIL,
    ACCOUNT_PHONE,
    apply_account_phone,
    current_check,
    expired,
    passed,
)

bp = Blueprint("confirmation", __name__, url_prefix="/h5/verify")

# The purposes whose check waits for 确认 (用户注销 has its own 提交注销申请 before the check).
HELD = (ACTIVATE, CHANGE_PHONE)
HEADINGS = {ACTIVATE: "激活信息确认", CHANGE_PHONE: "修改手机号信息确认", RECOVER: "找回密码信息确认"}


def hold(ctx, method, card_fingerprint=None):
    """Step 2 passed for a purpose in HELD: remember it and show the confirmation."""
    data = {k: v for k, v in flow.get(flow.CHECK).items() if k != "t"}
    flow.put(flow.CHECK, **data, passed={"method": method, "card": card_fingerprint})
    return redirect(url_for("confirmation.confirm"))


def _method_label(method):
    if method == ACCOUNT_EMAIL:
        return "电子邮箱认证"
    return "手机号认证" if method == ACCOUNT_PHONE else METHODS.get(method, method)


def rows_of(ctx, method):
    """What the page shows: (label, value) — who, by which check, and what changes."""
    rows = []
    header = ctx.header()
    if header:
        rows += [("我的一码通", header["ymt"]), ("姓名/名称", header["name"]),
                 ("证件类型", header["id_type"]), ("证件号码", header["id_number"])]
    rows.append(("登录手机号", mask_phone(ctx.user.phone)))
    if method:
        rows.append(("身份认证方式", _method_label(method)))
    if ctx.purpose == CHANGE_PHONE:
        rows.append(("新手机号", mask_phone(ctx.new_phone)))
    return rows


CHANGES = {
    ACTIVATE: "确认后，上述一码通账户将绑定到您的在线用户并激活，即可使用证券查询、电子凭证和网络投票等服务。",
    CHANGE_PHONE: "确认后，您的登录手机号将变更为新手机号，此后请使用新手机号登录；其他设备上的登录将失效。",
    RECOVER: "确认后，登录密码将重置为您刚设置的新密码，原密码失效，其他设备上的登录将退出。",
}


def page(ctx, method, action, back_url, hidden=(), error=None, status=200):
    """The confirmation page of ``ctx.purpose``."""
    response = render_template(
        "accounts/confirm.html", ctx=ctx, heading=HEADINGS[ctx.purpose],
        rows=rows_of(ctx, method), change=CHANGES[ctx.purpose], form=EmptyForm(),
        action=action, back_url=back_url, hidden=hidden, error=error)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
    """激活信息确认 / 修改手机号信息确认: 确认 applies the held check."""
    ctx = current_check()
    held = (flow.get(flow.CHECK) or {}).get("passed")
    if ctx is None or not held or ctx.purpose not in HELD:
        return expired()
    method = held.get("method")
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            if ctx.ymt is None:
                apply_account_phone(ctx)
                return passed(ctx)
            row = identity_checks.record_passed(ctx.user, ctx.ymt, ctx.purpose, method,
                                                new_phone=ctx.new_phone,
                                                card_fingerprint=held.get("card"))
            return passed(ctx, row)
        except AccountError as exc:
            db.session.rollback()
            return page(ctx, method, url_for("confirmation.confirm"),
                        url_for("verify.methods"), error=str(exc), status=400)
    return page(ctx, method, url_for("confirmation.confirm"), url_for("verify.methods"))
