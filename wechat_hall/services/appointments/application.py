"""申请预约 (APT-2, APT-3): the form's fields checked, kept in the session, shown in the
preview.

- Fields: 经办人类型 (境内 / 境外), 姓名, 单位, 证件号码 (境内: an 18-digit resident ID
  with its check digit; 境外: passport, 港澳 / 台湾 pass or foreign permanent residence
  card), 业务类型 of the chosen office, 业务笔数 1–6, a date and slot of the window.
- The day is checked here against the window and the cutoff, and again inside the
  booking transaction (booking.py), which also applies the per-person rule.
"""
import secrets
from dataclasses import asdict, dataclass
from datetime import date

from models import BusinessType, Office, SlotTemplate
from models.appointment import AGENT_TYPES, DOMESTIC
from wechat_hall.extensions import db
from wechat_hall.services.accounts import id_numbers

from . import slots
from .booking import PERSON_RULE, Refused, person_has_booking

MAX_ITEMS = 6
FOREIGN_ID_TYPES = (id_numbers.PASSPORT, id_numbers.HK_MACAO_PASS, id_numbers.TAIWAN_PASS,
                    id_numbers.FOREIGN_PERMANENT, id_numbers.HMT_RESIDENCE)


class Invalid(ValueError):
    """Field errors of an application: ``errors`` maps field → message."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Application:
    """What the form collected, cleaned: kept in the session between form and confirm."""
    office_id: int
    agent_type: str
    agent_name: str
    agent_company: str
    id_number: str
    business_type_id: int
    items: int
    day: date
    template_id: int

    def to_session(self):
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data

    @classmethod
    def from_session(cls, data):
        try:
            data = dict(data)
            data["day"] = date.fromisoformat(data["day"])
            return cls(**data)
        except (TypeError, KeyError, ValueError):
            return None


def check_id_number(agent_type, raw):
    """The normalised number, or IdNumberError-style Refused with the message."""
    if agent_type == DOMESTIC:
        try:
            return id_numbers.validate_id_number(id_numbers.RESIDENT_ID, raw)
        except id_numbers.IdNumberError as exc:
            if exc.code == id_numbers.EMPTY:
                raise Refused("请输入证件号码") from None
            if exc.code == id_numbers.TYPE_MISMATCH or not id_numbers.normalize_id_number(raw)[:17].isdigit():
                raise Refused("境内客户请填写18位居民身份证号码") from None
            raise Refused(exc.message) from None
    number = id_numbers.normalize_id_number(raw)
    if not number:
        raise Refused("请输入证件号码")
    for id_type in FOREIGN_ID_TYPES:
        try:
            return id_numbers.validate_id_number(id_type, number)
        except id_numbers.IdNumberError:
            continue
    raise Refused("境外客户请填写有效的护照、港澳台居民通行证或外国人永久居留身份证号码")


def clean_application(office, form):
    """Check every field of the form (a dict of strings); return an :class:`Application`
    or raise :class:`Invalid` with a message per field."""
    errors = {}
    agent_type = (form.get("agent_type") or "").strip()
    if agent_type not in AGENT_TYPES:
        errors["agent_type"] = "请选择经办人类型"
    name = (form.get("agent_name") or "").strip()
    if not name:
        errors["agent_name"] = "请输入经办人姓名"
    elif len(name) > 64:
        errors["agent_name"] = "经办人姓名不能超过64个字"
    company = (form.get("agent_company") or "").strip()
    if not company:
        errors["agent_company"] = "请输入经办人单位"
    elif len(company) > 128:
        errors["agent_company"] = "经办人单位不能超过128个字"
    number = None
    if agent_type in AGENT_TYPES:
        try:
            number = check_id_number(agent_type, form.get("id_number") or "")
        except Refused as exc:
            errors["id_number"] = str(exc)
    elif not (form.get("id_number") or "").strip():
        errors["id_number"] = "请输入证件号码"
    business = _business_of(office, form.get("business_type_id"))
    if business is None:
        errors["business_type_id"] = "请选择预约业务类型"
    items_raw = (form.get("items") or "").strip()
    items = int(items_raw) if items_raw.isdigit() and len(items_raw) <= 2 else None
    if items is None or not 1 <= items <= MAX_ITEMS:
        errors["items"] = f"请输入业务笔数（1-{MAX_ITEMS}）"
    day = _parse_day(form.get("day"))
    template = None
    if day is None:
        errors["day"] = "请选择预约日期"
    else:
        try:
            slots.check_day(day)
        except slots.DayRefused as exc:
            errors["day"] = str(exc)
    template = _template_of(office, form.get("template_id"))
    if template is None:
        errors["template_id"] = "请选择预约时段"
    if not form.get("agree"):
        errors["agree"] = "请阅读并同意《中国结算业务预约规则》"
    if number and day and "day" not in errors and person_has_booking(number, day):
        errors["id_number"] = PERSON_RULE.format(day=day.isoformat())  # at 下一步, not 提交
    if errors:
        raise Invalid(errors)
    return Application(office_id=office.id, agent_type=agent_type, agent_name=name,
                       agent_company=company, id_number=number, business_type_id=business.id,
                       items=items, day=day, template_id=template.id)


def _parse_day(raw):
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _int(raw):
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _business_of(office, raw):
    business = db.session.get(BusinessType, _int(raw)) if _int(raw) else None
    if business is None or business.office_id != office.id or not business.active:
        return None
    return business


def _template_of(office, raw):
    template = db.session.get(SlotTemplate, _int(raw)) if _int(raw) else None
    if template is None or template.office_id != office.id or not template.active:
        return None
    return template


def describe(application):
    """The application with the names the preview shows."""
    office = db.session.get(Office, application.office_id)
    business = db.session.get(BusinessType, application.business_type_id)
    template = db.session.get(SlotTemplate, application.template_id)
    return dict(office=office, business=business, template=template, app=application,
                agent_type_label=AGENT_TYPES.get(application.agent_type, ""))


def new_confirm_token():
    return secrets.token_urlsafe(24)

