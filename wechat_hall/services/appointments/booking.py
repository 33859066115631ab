"""申请预约 → preview → confirm, 我的预约, cancel (APT-2..6). Rules of the registrar:

- Fields: 经办人类型 (境内 / 境外), 姓名, 单位, 证件号码 (境内: an 18-digit resident ID
  with its check digit; 境外: passport, 港澳 / 台湾 pass or foreign permanent residence
  card), 业务类型 of the chosen office, 业务笔数 1–6, a date and slot of the window.
- One booking takes one place of its slot, whatever its 业务笔数.
- Per person: one active appointment (未取号 or 已取号) per ID number and day, enforced
  by a partial unique index; cancel to book another time.
- Cancel: until the slot starts (Asia/Shanghai); afterwards it is kept or expires.
- Ownership: the WeChat openid that booked, or the signed-in hall user who booked.
"""
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from models import Appointment, BusinessType, Office, SlotTemplate
from models.appointment import ACTIVE, AGENT_TYPES, BOOKED, CANCELLED, CHECKED_IN, DOMESTIC, EXPIRED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import id_numbers
from wechat_hall.services.db_locks import begin_write

from . import slots

MAX_ITEMS = 6
FOREIGN_ID_TYPES = (id_numbers.PASSPORT, id_numbers.HK_MACAO_PASS, id_numbers.TAIWAN_PASS,
                    id_numbers.FOREIGN_PERMANENT, id_numbers.HMT_RESIDENCE)
CODE_DIGITS = 10


class Refused(ValueError):
    """A request the rules refuse; ``str(exc)`` is the message, nothing was changed."""


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


@dataclass
class Owner:
    openid: str = None
    hall_user_id: int = None

    def __bool__(self):
        return bool(self.openid or self.hall_user_id)

    def owns(self, appointment):
        return bool((self.openid and appointment.openid == self.openid) or
                    (self.hall_user_id and appointment.hall_user_id == self.hall_user_id))

    def filter(self):
        terms = []
        if self.openid:
            terms.append(Appointment.openid == self.openid)
        if self.hall_user_id:
            terms.append(Appointment.hall_user_id == self.hall_user_id)
        return or_(*terms) if terms else db.false()


# -- the form -------------------------------------------------------------------------

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


# -- booking --------------------------------------------------------------------------

def _new_code():
    return str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))


def by_token(token):
    return db.session.execute(
        db.select(Appointment).filter_by(confirm_token=token)).scalar_one_or_none()


def _person_has_booking(id_number, day):
    return db.session.execute(db.select(Appointment.id).filter(
        Appointment.id_number == id_number, Appointment.day == day,
        Appointment.status.in_(ACTIVE))).first() is not None


PERSON_RULE = "该证件号码在{day}已有有效预约，每个证件号码每天只能预约一次；如需改约，请先取消原预约。"


def book(application, token, owner):
    """Take a place and record the appointment, in one transaction. The same ``token``
    (the preview's) returns the appointment it already made. Raises :class:`Refused`."""
    if not token or len(token) > 64:
        raise Refused("页面已过期，请重新填写预约信息。")
    if not owner:
        raise Refused("无法识别您的身份，请从微信菜单重新进入。")
    begin_write()
    # A token already used answers below, where the person rule or a unique index
    # stops the second booking: no lookup on the common path.
    open_for = db.session.execute(
        db.select(BusinessType.id, Office.active).join(Office, Office.id == BusinessType.office_id)
        .filter(BusinessType.id == application.business_type_id,
                BusinessType.office_id == application.office_id,
                BusinessType.active.is_(True))).first()
    if open_for is None or not open_for.active:
        raise Refused("该业务类型已停止预约，请重新选择。")
    office_id = application.office_id
    try:
        slots.check_day(application.day)  # the clock as of this transaction
    except slots.DayRefused as exc:
        raise Refused(str(exc)) from None
    slot = slots.slot_for(office_id, application.template_id, application.day)
    if slot is None:
        raise Refused("该预约时段已停止预约，请重新选择。")
    if _person_has_booking(application.id_number, application.day):
        # Maybe the booking is this very token's, committed by a concurrent tap.
        existing = by_token(token)
        if existing is not None and owner.owns(existing):
            db.session.commit()
            return existing
        raise Refused(PERSON_RULE.format(day=f"{application.day:%Y-%m-%d}"))
    if not slots.take_place(slot.id):
        existing = by_token(token)  # a concurrent tap took the last place for us
        if existing is not None and owner.owns(existing):
            db.session.commit()
            return existing
        raise Refused(f"{application.day:%Y-%m-%d} {slot.label} 的号源已约满，请选择其他时段。")
    appointment = Appointment(
        code=_new_code(), confirm_token=token, office_id=office_id,
        business_type_id=application.business_type_id, slot_id=slot.id,
        day=application.day, start_time=slot.start_time, end_time=slot.end_time,
        agent_type=application.agent_type, agent_name=application.agent_name,
        agent_company=application.agent_company, id_number=application.id_number,
        items=application.items, status=BOOKED, openid=owner.openid,
        hall_user_id=owner.hall_user_id, created_at=clock.utcnow())
    db.session.add(appointment)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the place taken above is given back with it
        existing = by_token(token)
        if existing is not None and owner.owns(existing):
            return existing
        if _person_has_booking(application.id_number, application.day):
            raise Refused(PERSON_RULE.format(day=f"{application.day:%Y-%m-%d}")) from None
        raise Refused("系统繁忙，请重新提交。") from None
    return appointment


# -- 我的预约 -------------------------------------------------------------------------

def owned(appointment_id, owner):
    """The owner's appointment, or None (someone else's id looks the same as no id)."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not owner.owns(appointment):
        return None
    return appointment


BY_CREATED = "created"   # 按业务预约时间查询
BY_DAY = "day"           # 按业务办理时间查询
SPANS = {"1m": ("一个月内", 30), "3m": ("三个月内", 91)}
MAX_SPAN_DAYS = 92


def default_range(by, span):
    days = SPANS.get(span, SPANS["1m"])[1]
    today = clock.today()
    if by == BY_DAY:  # upcoming visits matter most
        return today - timedelta(days=days), today + timedelta(days=days)
    return today - timedelta(days=days), today


def search(owner, by, start, end):
    """The owner's appointments in the range, newest first; raises Refused on a bad range."""
    if start is None or end is None:
        raise Refused("请选择起始时间和结束时间。")
    if end < start:
        raise Refused("结束时间不能早于起始时间。")
    if (end - start).days > MAX_SPAN_DAYS:
        raise Refused("查询时间跨度不能超过三个月。")
    query = db.select(Appointment).filter(owner.filter())
    if by == BY_DAY:
        query = query.filter(Appointment.day >= start, Appointment.day <= end).order_by(
            Appointment.day.desc(), Appointment.start_time.desc())
    else:
        lo = clock.to_utc(datetime.combine(start, datetime.min.time()))
        hi = clock.to_utc(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        query = query.filter(Appointment.created_at >= lo, Appointment.created_at < hi
                             ).order_by(Appointment.created_at.desc())
    return db.session.execute(query.limit(200)).scalars().all()


def cancel_deadline(appointment):
    """Naive UTC: cancelling is possible until the slot starts."""
    return slots.slot_start_utc(appointment.day, appointment.start_time)


def can_cancel(appointment):
    return appointment.status == BOOKED and clock.utcnow() < cancel_deadline(appointment)


def cancel(appointment_id, owner):
    """Cancel and give the place back. Twice is refused the second time."""
    begin_write()
    appointment = owned(appointment_id, owner)
    if appointment is None:
        raise LookupError(appointment_id)
    if appointment.status != BOOKED:
        raise Refused({CANCELLED: "该预约已取消。", CHECKED_IN: "该预约已取号，不能取消。",
                       EXPIRED: "该预约已过期，不能取消。"}.get(appointment.status, "该预约不能取消。"))
    if clock.utcnow() >= cancel_deadline(appointment):
        raise Refused("预约时段已开始，不能再取消。")
    done = db.session.execute(
        update(Appointment).where(Appointment.id == appointment.id, Appointment.status == BOOKED)
        .values(status=CANCELLED, cancelled_at=clock.utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not done:
        db.session.rollback()
        raise Refused("该预约已取消。")
    slots.release_place(appointment.slot_id)
    db.session.commit()
    db.session.refresh(appointment)
    return appointment
