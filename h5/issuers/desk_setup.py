"""The issuer desk sets up issuers and their contacts (发行人管理, /staff/issuers/setup/):
a new issuer with its codes, a new contact, a reset of a contact's password and TOTP,
停用 / 启用. Rules are in ``services/issuers/setup.py``; the pages parse and render.

After a contact is added or reset, the browser is sent to the enrolment page, which
shows the QR code (a PNG ``data:`` URI: the CSP's ``img-src`` allows ``data:``), the
secret and a generated password once: they are kept in the staff's server-side session
until that page is read, then dropped.
"""
import base64

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField

from models import Issuer, IssuerContact
from models.registry import MARKETS
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.appointments import qr
from wechat_hall.services.issuers import setup

from h5.forms import HallForm
from h5.staff.access import role_required

bp = Blueprint("issuer_setup", __name__, url_prefix="/staff/issuers/setup")
desk_required = role_required("issuer_desk")
ENROLMENT = "issuer_enrolment"


class IssuerForm(HallForm):
    name = StringField("发行人名称")
    market = SelectField("市场", choices=list(MARKETS.items()), validate_choice=False)
    codes = StringField("证券代码")


class ContactForm(HallForm):
    login = StringField("登录名")
    name = StringField("姓名")
    title = StringField("职务")
    phone = StringField("手机号码")
    password = StringField("初始密码")


class ActionForm(HallForm):
    """Only the CSRF token: 重置 / 停用 / 启用."""


def _value(field, limit):
    value = field.data
    return value[:limit] if isinstance(value, str) else ""


@bp.get("/")
@desk_required
def index():
    return render_template("issuers/desk_setup.html", rows=setup.overview(),
                           action=ActionForm(), markets=MARKETS,
                           mask_phone=mask_phone)


@bp.route("/new", methods=["GET", "POST"])
@desk_required
def new_issuer():
    form, error = IssuerForm(), None
    if form.validate_on_submit():
        try:
            issuer = setup.create_issuer(_value(form.name, 200), _value(form.market, 4),
                                         _value(form.codes, 400))
            db.session.commit()
            flash(f"已新增发行人“{issuer.name}”，并已记收本年度查询服务费。", "success")
            return redirect(url_for("issuer_setup.new_contact", issuer_id=issuer.id))
        except setup.SetupRefused as exc:
            db.session.rollback()
            error = str(exc)
        except IntegrityError:
            db.session.rollback()
            error = setup.RACE_LOST
    return render_template("issuers/desk_setup_issuer.html", form=form, error=error)


def _issuer(issuer_id):
    issuer = db.session.get(Issuer, issuer_id)
    if issuer is None:
        abort(404)
    return issuer


def _contact(contact_id):
    contact = db.session.get(IssuerContact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _keep_for_once(enrolment, what):
    contact = enrolment.contact
    session[ENROLMENT] = {"what": what, "login": contact.login, "name": contact.name,
                          "issuer": contact.issuer.name, "secret": enrolment.secret,
                          "uri": enrolment.uri, "password": enrolment.password}


@bp.route("/<int:issuer_id>/contacts/new", methods=["GET", "POST"])
@desk_required
def new_contact(issuer_id):
    issuer = _issuer(issuer_id)
    form, error = ContactForm(), None
    if form.validate_on_submit():
        try:
            enrolment = setup.add_contact(issuer, _value(form.login, 128), _value(form.name, 80),
                                          _value(form.title, 80), _value(form.phone, 40),
                                          _value(form.password, 64) or None)
            db.session.commit()
            _keep_for_once(enrolment, "新增联系人")
            return redirect(url_for("issuer_setup.enrolment"))
        except setup.SetupRefused as exc:
            db.session.rollback()
            error = str(exc)
        except IntegrityError:
            db.session.rollback()
            error = setup.RACE_LOST
    return render_template("issuers/desk_setup_contact.html", form=form, error=error,
                           issuer=issuer, securities=setup.contacts.securities_of(issuer.id))


@bp.post("/contacts/<int:contact_id>/reset")
@desk_required
def reset(contact_id):
    contact = _contact(contact_id)  # the token was checked by CSRFProtect
    enrolment = setup.reset_contact(contact)
    db.session.commit()
    setup.revoke_sessions(contact)
    _keep_for_once(enrolment, "重置密码与动态口令")
    return redirect(url_for("issuer_setup.enrolment"))


def _switch(contact_id, active):
    contact = _contact(contact_id)  # the token was checked by CSRFProtect
    try:
        setup.set_active(contact, active)
        db.session.commit()
    except setup.SetupRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("issuer_setup.index"))
    if not active:
        setup.revoke_sessions(contact)
    flash(f"联系人 {contact.login} 已{'启用' if active else '停用'}。", "success")
    return redirect(url_for("issuer_setup.index"))


@bp.post("/contacts/<int:contact_id>/deactivate")
@desk_required
def deactivate(contact_id):
    return _switch(contact_id, False)


@bp.post("/contacts/<int:contact_id>/activate")
@desk_required
def activate(contact_id):
    return _switch(contact_id, True)


@bp.get("/enrolment")
@desk_required
def enrolment():
    """The QR code, secret and password of the last set-up, once."""
    data = session.pop(ENROLMENT, None)
    if not isinstance(data, dict):
        flash("开通信息只显示一次，已不再显示；如需重新开通，请重置该联系人的密码与动态口令。",
              "info")
        return redirect(url_for("issuer_setup.index"))
    image = base64.b64encode(qr.png(data["uri"], box_size=6)).decode()
    return render_template("issuers/desk_setup_enrolment.html", data=data,
                           qr_src=f"data:image/png;base64,{image}")
