"""Step 2 验证用户信息 (ACC-8 a–d), shared by 激活一码通, 变更手机号, 用户注销 and 找回密码:
the method list, the four methods' pages and their 获取验证码.

The flow that needs a check starts it (verification_flow.begin) and sends the user to
:func:`methods`; a passed check ends at the purpose's next page (verification_flow.passed).
An account without an activated 一码通 proves itself with an SMS code to its own phone
(the only method the seed shows for it).
"""
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from h5.identity import current_user, in_wechat
from models import HallUser
from models.accounts import BANKCARD, COUNTER, RESERVED_PHONE, TRADE_ORDER, VERIFIED
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_name, mask_phone
from wechat_hall.services.accounts import identity_checks, pending_checks, sms_codes
from wechat_hall.services.accounts.hall_users import AccountError

from . import flow, sms_sending
from .confirmation import HELD, hold
from .forms import AccountForm, BankCardForm, CounterForm, EmptyForm, SmsCodeForm, refuse
from .verification_flow import (
    ACCOUNT_PHONE,
    SMS_PURPOSE,
    STEPS,
    TITLES,
    Context,
    apply_account_phone,
    current_check,
    expired,
    method_check,
    passed,
)

bp = Blueprint("verify", __name__, url_prefix="/h5/verify")


def _render(template, ctx, **kwargs):
    return render_template(template, ctx=ctx, header=ctx.header(), wechat=in_wechat(),
                           back_url=url_for("verify.methods"), **kwargs)


@bp.get("/methods")
def methods():
    ctx = current_check()
    if ctx is None:
        return expired()
    if ctx.ymt is None:
        options = [identity_checks.Method(ACCOUNT_PHONE, "通过手机号认证",
                                          "请通过获取手机验证码完成认证", True)]
    else:
        options = identity_checks.methods_for(ctx.ymt, ctx.purpose)
    pending = pending_checks.pending_of(ctx.user, ctx.purpose)
    return render_template("accounts/verify_methods.html", ctx=ctx, header=ctx.header(),
                           options=options, pending=pending, wechat=in_wechat())


@bp.route("/phone", methods=["GET", "POST"])
def phone():
    """(a) SMS to the phone reserved at account opening — or, without a 一码通, to the
    account's own phone."""
    ctx = current_check()
    if ctx is None:
        return expired()
    if ctx.ymt is None:
        target = ctx.user.phone
    else:
        try:
            identity_checks.method_allowed(ctx.ymt, ctx.purpose, RESERVED_PHONE)
        except AccountError as exc:
            return render_template("error.html", title=ctx.title, message=str(exc)), 400
        target = ctx.ymt.reserved_phone
    form = SmsCodeForm()
    error = None
    if form.validate_on_submit():
        try:
            sms_codes.verify_code(target, SMS_PURPOSE[ctx.purpose], form.code.data)
            if ctx.purpose in HELD:  # 激活信息确认 / 修改手机号信息确认 first
                return hold(ctx, RESERVED_PHONE if ctx.ymt else ACCOUNT_PHONE)
            if ctx.ymt is None:
                apply_account_phone(ctx)
                return passed(ctx)
            row = identity_checks.record_passed(ctx.user, ctx.ymt, ctx.purpose, RESERVED_PHONE,
                                                new_phone=ctx.new_phone)
            return passed(ctx, row)
        except sms_codes.CodeRefused as exc:
            form.code.errors = list(form.code.errors) + [str(exc)]
        except AccountError as exc:
            db.session.rollback()
            error = refuse(form, exc)
    return _render("accounts/verify_phone.html", ctx, form=form, error=error,
                   masked_phone=mask_phone(target),
                   send_url=url_for("verify.send_code", method="phone"))


@bp.route("/bankcard", methods=["GET", "POST"])
def bankcard():
    """(b) 银联身份认证: card number and bank-reserved phone + SMS code."""
    ctx, refused = method_check(BANKCARD)
    if refused is not None:
        return refused
    form = BankCardForm()
    error = None
    if form.validate_on_submit():
        try:
            phone = sms_codes.normalize_phone(form.bank_phone.data)
            fingerprint = identity_checks.check_bank_card(ctx.ymt, form.card_number.data, phone)
            sms_codes.verify_code(phone, sms_codes.BANKCARD, form.code.data)
            if ctx.purpose in HELD:
                return hold(ctx, BANKCARD, fingerprint)
            row = identity_checks.record_passed(ctx.user, ctx.ymt, ctx.purpose, BANKCARD,
                                                new_phone=ctx.new_phone,
                                                card_fingerprint=fingerprint)
            return passed(ctx, row)
        except sms_codes.InvalidPhone as exc:
            form.bank_phone.errors = list(form.bank_phone.errors) + [str(exc)]
        except sms_codes.CodeRefused as exc:
            form.code.errors = list(form.code.errors) + [str(exc)]
        except AccountError as exc:
            db.session.rollback()
            error = refuse(form, exc)
    investor = ctx.ymt.investor
    return _render("accounts/verify_bankcard.html", ctx, form=form, error=error,
                   holder=mask_name(investor.name), id_number=mask_id_number(investor.id_number),
                   send_url=url_for("verify.send_code", method="bankcard"))


@bp.route("/trade", methods=["GET", "POST"])
def trade():
    """(c) 交易报盘身份认证: any linked securities account → the instruction."""
    ctx, refused = method_check(TRADE_ORDER)
    if refused is not None:
        return refused
    form = AccountForm()
    error = None
    if form.validate_on_submit():
        try:
            row = pending_checks.start_trade_order(ctx.user, ctx.ymt, ctx.purpose,
                                                    form.account.data, new_phone=ctx.new_phone)
        except AccountError as exc:
            db.session.rollback()
            error = refuse(form, exc)
        else:
            return redirect(url_for("verify.pending", public_id=row.public_id))
    return _render("accounts/verify_trade.html", ctx, form=form, error=error)


@bp.route("/counter", methods=["GET", "POST"])
def counter():
    """(d) 临柜身份认证: a linked account and the branch where the user will go."""
    ctx, refused = method_check(COUNTER)
    if refused is not None:
        return refused
    branches = pending_checks.counter_branches()
    brokers = []
    for branch in branches:
        if not brokers or brokers[-1][0] != branch.broker_id:
            brokers.append((branch.broker_id, branch.broker.name))
    form = CounterForm()
    form.broker.choices = [("", "请选择证券公司")] + [(str(i), n) for i, n in brokers]
    form.branch.choices = [("", "请选择营业部")] + [(str(b.id), b.name) for b in branches]
    error = None
    if form.validate_on_submit():
        try:
            row = pending_checks.start_counter(ctx.user, ctx.ymt, ctx.purpose, form.account.data,
                                                form.branch.data, new_phone=ctx.new_phone)
        except AccountError as exc:
            db.session.rollback()
            error = refuse(form, exc)
        else:
            return redirect(url_for("verify.pending", public_id=row.public_id))
    return _render("accounts/verify_counter.html", ctx, form=form, error=error,
                   branches=branches)


@bp.get("/pending/<public_id>")
def pending(public_id):
    """A started trade-order or counter check: what to do next, and its state."""
    data = flow.get(flow.CHECK)
    user = current_user()
    if user is None and data:
        user = db.session.get(HallUser, data.get("user_id"))
    row = pending_checks.owned(user, public_id)
    if row is None or row.method not in (TRADE_ORDER, COUNTER):
        abort(404)
    first, last, _ = pending_checks.trade_window(row.created_at)
    return render_template("accounts/verify_pending.html", row=row, wechat=in_wechat(),
                           first_day=first, last_day=last, form=EmptyForm(),
                           title=TITLES[row.purpose], steps=STEPS[row.purpose],
                           header=Context({"purpose": row.purpose, "user_id": row.user_id,
                                           "ymt_id": row.ymt_account_id}).header(),
                           security_code=pending_checks.TRADE_SECURITY_CODE,
                           price=pending_checks.TRADE_PRICE, verified=row.status == VERIFIED)


@bp.post("/pending/<public_id>/cancel")
def cancel(public_id):
    data = flow.get(flow.CHECK)
    user = current_user()
    if user is None and data:
        user = db.session.get(HallUser, data.get("user_id"))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        pending_checks.cancel(user, public_id)
    except AccountError as exc:
        return render_template("error.html", title="撤销认证", message=str(exc)), 400
    if data:
        return redirect(url_for("verify.methods"))
    return redirect(url_for("hall.home"))


@bp.post("/sms/<method>")
def send_code(method):
    """The 获取验证码 buttons of step 2 (JSON)."""
    ctx = current_check()
    if ctx is None:
        return jsonify(ok=False, message="本次认证已超时，请从头开始办理。"), 400
    try:
        if method == "phone":
            if ctx.ymt is None:
                target = ctx.user.phone
            else:
                identity_checks.method_allowed(ctx.ymt, ctx.purpose, RESERVED_PHONE)
                target = ctx.ymt.reserved_phone
            sent = sms_sending.send(target, SMS_PURPOSE[ctx.purpose])
        elif method == "bankcard" and ctx.ymt is not None:
            identity_checks.method_allowed(ctx.ymt, ctx.purpose, BANKCARD)
            sent = sms_sending.send(request.form.get("phone", ""), sms_codes.BANKCARD)
        else:
            abort(404)
    except (sms_codes.CodeRefused, AccountError) as exc:
        return sms_sending.refused(exc)
    return sms_sending.sent(sent)
