"""The check in progress of step 2 验证用户信息 (ACC-8 a–d): what the flow that needs it
keeps, who may go on with it, and where a passed check leads.

激活一码通, 变更手机号, 用户注销 and 找回密码 call :func:`begin` and send the user to the
method list (verification.py); every page of step 2 re-reads the check with
:func:`current_check`, which is None when it expired, was finished, or belongs to someone
else.
"""
from flask import redirect, render_template, url_for

from h5.identity import current_user, log_out
from models import HallUser
from models.accounts import ACTIVATE, CHANGE_PHONE, DEREGISTER, PURPOSES, RECOVER
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_name
from wechat_hall.services.accounts import id_numbers, identity_checks, sms_codes
from wechat_hall.services.accounts.hall_users import AccountError

from . import flow

ACCOUNT_PHONE = "account_phone"
ACCOUNT_EMAIL = "account_email"  # 找回密码: the code mailed to the account's address
SMS_PURPOSE = {ACTIVATE: sms_codes.ACTIVATE, CHANGE_PHONE: sms_codes.CHANGE_PHONE,
               DEREGISTER: sms_codes.DEREGISTER, RECOVER: sms_codes.RECOVER}
TITLES = {ACTIVATE: "激活一码通", CHANGE_PHONE: "变更手机号", DEREGISTER: "用户注销",
          RECOVER: "找回密码"}
STEPS = {ACTIVATE: ("输入用户信息", "验证用户信息", "完成"),
         CHANGE_PHONE: ("填写新手机号", "验证用户信息", "完成"),
         DEREGISTER: ("提交注销申请", "验证用户信息", "完成"),
         RECOVER: ("输入个人信息", "验证用户信息", "完成")}


def begin(purpose, user, ymt=None, new_phone=None):
    """Start step 2 for ``purpose``; returns the redirect to the method list."""
    flow.put(flow.CHECK, purpose=purpose, user_id=user.id, ymt_id=ymt.id if ymt else None,
             new_phone=new_phone)
    return redirect(url_for("verify.methods"))


class Context:
    """The check in progress, re-validated on every request."""

    def __init__(self, data):
        self.purpose = data["purpose"]
        self.user = db.session.get(HallUser, data["user_id"])
        self.ymt = identity_checks.get_ymt(data.get("ymt_id"))
        self.new_phone = data.get("new_phone")

    @property
    def title(self):
        return TITLES[self.purpose]

    @property
    def steps(self):
        return STEPS[self.purpose]

    def header(self):
        """我的一码通 / 姓名 / 证件类型 / 证件号码, masked (图 1.2.1.1.2)."""
        if self.ymt is None:
            return None
        investor = self.ymt.investor
        return dict(ymt=identity_checks.masked_ymt(self.ymt.number), name=mask_name(investor.name),
                    id_type=id_numbers.id_type_label(investor.id_type),
                    id_number=mask_id_number(investor.id_number))


def current_check():
    data = flow.get(flow.CHECK)
    if not data or data.get("purpose") not in PURPOSES:
        return None
    ctx = Context(data)
    if ctx.user is None:
        return None
    if ctx.purpose != RECOVER:  # everything else is done by the signed-in user
        me = current_user()
        if me is None or me.id != ctx.user.id:
            return None
    if ctx.ymt is not None and ctx.purpose != ACTIVATE and ctx.user.ymt_account_id != ctx.ymt.id:
        return None
    return ctx


def method_check(method):
    """The check in progress if it has a 一码通 that ``method`` may be used with:
    ``(ctx, None)``, or ``(None, the page saying why not)``."""
    ctx = current_check()
    if ctx is None or ctx.ymt is None:
        return None, expired()
    try:
        identity_checks.method_allowed(ctx.ymt, ctx.purpose, method)
    except AccountError as exc:
        return None, (render_template("error.html", title=ctx.title, message=str(exc)), 400)
    return ctx, None


def expired():
    """The page for a check that expired, was finished, or is not this user's."""
    return render_template("error.html", title="操作已失效",
                           message="本次认证已超时或已完成，请从头开始办理。"), 400


def passed(ctx, verification=None):
    """Where a passed check leads."""
    flow.drop(flow.CHECK)
    if ctx.purpose == ACTIVATE:
        return redirect(url_for("activation.done"))
    if ctx.purpose == CHANGE_PHONE:
        flow.drop(flow.NEW_PHONE)
        return redirect(url_for("accounts.phone_done"))
    if ctx.purpose == DEREGISTER:
        log_out()
        return redirect(url_for("accounts.deregister_done"))
    flow.put(flow.RECOVER, user_id=ctx.user.id, verified=True,
             check=verification.public_id if verification else None,
             method=verification.method if verification else ACCOUNT_PHONE)
    return redirect(url_for("recovery.password"))


def apply_account_phone(ctx):
    """No 一码通: the SMS to the account's own phone was the check."""
    from wechat_hall.services.accounts import hall_users
    if ctx.purpose == CHANGE_PHONE:
        hall_users.apply_phone_change(ctx.user, ctx.new_phone)
    elif ctx.purpose == DEREGISTER:
        hall_users.deregister(ctx.user)
