"""获取电子凭证 (Q-8): the request form, the user's requests with their status, and the
public page that checks a certificate's verification code."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from h5.forms import HallForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from h5.accounts.forms import refuse
from h5.identity import activated_required, current_user
from models.certificates import CHANGES, KINDS
from models.registry import MARKETS
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_name
from wechat_hall.services.queries import certificates, scope, trading_days
from wechat_hall.services.queries.scope import QueryError

bp = Blueprint("certificates", __name__, url_prefix="/h5/certificates")

NOTES = ["电子凭证是一份具有电子签名的PDF文档,将以邮件附件的形式发送到您指定的邮箱。",
         f"一个用户单日申请电子凭证的上限为{certificates.DAILY_LIMIT}次。",
         "本公司提供近三年内的查询结果记录。"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CertificateForm(HallForm):
    kind = SelectField("凭证类型", choices=list(KINDS.items()), validate_choice=False)
    date = StringField("选择日期", validators=[Length(max=10)], filters=[_strip])
    start = StringField("开始日期", validators=[Length(max=10)], filters=[_strip])
    end = StringField("结束日期", validators=[Length(max=10)], filters=[_strip])
    account = SelectField("证券账户", validate_choice=False)
    market = SelectField("交易市场", choices=[("", "全部")] + list(MARKETS.items()),
                         validate_choice=False)
    email = StringField("电子邮箱", validators=[Length(max=254)], filters=[_strip])
    id_number = StringField("证件号码", validators=[Length(max=40)], filters=[_strip])


def _form(user):
    form = CertificateForm(formdata=request.form if request.method == "POST" else request.args)
    form.account.choices = [("", "全部")] + [
        (a.number, f"{a.number}（{a.short_label}）") for a in scope.user_accounts(user)]
    if request.method == "GET":
        today = clock.today()
        last = trading_days.previous_trading_day(today, inclusive=False)
        form.kind.data = form.kind.data if form.kind.data in KINDS else "holdings"
        form.date.data = form.date.data or f"{last:%Y-%m-%d}"
        form.start.data = form.start.data or request.args.get("start") or \
            f"{trading_days.months_after(today, -1):%Y-%m-%d}"
        form.end.data = form.end.data or f"{today:%Y-%m-%d}"
    return form


@bp.route("/new", methods=["GET", "POST"])
@activated_required
def new():
    user = current_user()
    form = _form(user)
    error, refused = None, False
    if request.method == "POST" and form.validate_on_submit():
        try:
            day = scope.parse_date(form.start.data if form.kind.data == CHANGES
                                         else form.date.data,
                                         "start" if form.kind.data == CHANGES else "date")
            end = scope.parse_date(form.end.data, "end") if form.kind.data == CHANGES \
                else day
            row = certificates.request_certificate(user, certificates.Ask(
                kind=form.kind.data, account=form.account.data or "",
                market=form.market.data or "", date_from=day, date_to=end,
                email=form.email.data or "", id_number=form.id_number.data or ""))
            db.session.commit()
            flash(f"申请已提交，电子凭证将发送至 {row.email}（验证码 {row.code}）", "success")
            return redirect(url_for("certificates.index"))
        except QueryError as exc:
            db.session.rollback()
            error, refused = refuse(form, exc), True
    elif request.method == "POST":
        error, refused = "页面已过期，请刷新后重新提交", True
    first, last = scope.window(certificates.YEARS)
    return render_template("certificates/new.html", form=form, error=error, notes=NOTES,
                           first=first, last=last, used=certificates.used_today(user),
                           limit=certificates.DAILY_LIMIT), 400 if refused else 200


@bp.get("/")
@activated_required
def index():
    user = current_user()
    return render_template("certificates/index.html", rows=certificates.requests_of(user),
                           used=certificates.used_today(user),
                           limit=certificates.DAILY_LIMIT)


@bp.get("/verify")
def verify():
    """Public: anyone holding a certificate checks its code (no login; codes carry 80 bits
    of chance, and the page shows no more than the certificate itself does)."""
    raw = request.args.get("code", "")[:40]
    row, checked = None, bool(raw.strip())
    if checked:
        row = certificates.find_by_code(raw)
        if row is not None and row.status != "sent":
            row = None
    return render_template("certificates/verify.html", code=raw, row=row, checked=checked,
                           holder=mask_name(row.holder_name) if row else None)
