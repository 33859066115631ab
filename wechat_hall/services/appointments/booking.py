"""Booking, 我的预约, cancel (APT-4..6). Rules of the registrar:

- One booking takes one place of its slot, whatever its 业务笔数.
- Per person: one active appointment (未取号 or 已取号) per ID number and day, enforced
  by a partial unique index; cancel to book another time.
- Cancel: until the slot starts (Asia/Shanghai); afterwards it is kept or expires.
- Ownership: the WeChat openid that booked, or the signed-in hall user who booked.

What is booked is an application the form checked (application.py).
"""
import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from models import (Appointment, BookingSlot, BusinessType, CalendarDay, Office,
                    SlotTemplate)
from models.appointment import ACTIVE, BOOKED, CANCELLED, CHECKED_IN, EXPIRED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.db_locks import begin_write
from wechat_hall.telemetry import metrics

from . import slots

CODE_DIGITS = 10


class Refused(ValueError):
    """A request the rules refuse; ``str(exc)`` is the message, nothing was changed."""


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


# -- booking --------------------------------------------------------------------------

def new_code():
    """A random 10-digit 预约码 (the unique index refuses the rare repeat)."""
    return str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))


def by_token(token):
    return db.session.execute(
        db.select(Appointment).filter_by(confirm_token=token)).scalar_one_or_none()


def person_has_booking(id_number, day):
    """The person rule's question: has this ID number an active appointment that day?
    Asked at 下一步 (application.clean_application) and again inside the booking."""
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
    facts = _facts(application)
    if facts is None:  # the slot is not materialised yet (or its template is off)
        return _book_checked(application, token, owner, *_slow_facts(application))
    return _book_checked(application, token, owner, *facts)


def _facts(application):
    """What the rules ask, in one statement: the slot (materialised, of an active
    template), whether the business type is open at an active office, the operator's
    calendar row of the day, and whether the person has an active appointment that day.
    None when there is no such slot row."""
    row = db.session.execute(_facts_statement(), dict(
        office_id=application.office_id, day=application.day,
        template_id=application.template_id, business_type_id=application.business_type_id,
        id_number=application.id_number)).first()
    if row is None:
        return None
    slot, business, person, calendar_row = row
    return slot, business, person, {application.day: calendar_row} if calendar_row else {}


@functools.cache
def _facts_statement():
    """:func:`_facts`'s statement, built once with bind parameters: building it on every
    提交 cost more CPU than the database spends running it (issue 15)."""
    office_id, day = bindparam("office_id"), bindparam("day")
    business_open = db.select(BusinessType.id).join(
        Office, Office.id == BusinessType.office_id).where(
        BusinessType.id == bindparam("business_type_id"),
        BusinessType.office_id == office_id, BusinessType.active.is_(True),
        Office.active.is_(True)).exists()
    person_booked = db.exists().where(
        Appointment.id_number == bindparam("id_number"), Appointment.day == day,
        Appointment.status.in_(ACTIVE))
    return (db.select(BookingSlot, business_open.label("business_open"),
                      person_booked.label("person_booked"), CalendarDay)
            .join(SlotTemplate, SlotTemplate.id == BookingSlot.template_id)
            .outerjoin(CalendarDay, CalendarDay.day == BookingSlot.day)
            .where(BookingSlot.office_id == office_id, BookingSlot.day == day,
                   BookingSlot.template_id == bindparam("template_id"),
                   SlotTemplate.active.is_(True)))


def _slow_facts(application):
    """The same facts one by one, materialising the slot when nobody needed it yet."""
    open_for = db.session.execute(
        db.select(BusinessType.id, Office.active).join(Office, Office.id == BusinessType.office_id)
        .filter(BusinessType.id == application.business_type_id,
                BusinessType.office_id == application.office_id,
                BusinessType.active.is_(True))).first()
    business = open_for is not None and open_for.active
    slot = slots.slot_for(application.office_id, application.template_id, application.day)
    return slot, business, person_has_booking(application.id_number, application.day), None


def _book_checked(application, token, owner, slot, business_open, person_booked, calendar):
    if not business_open:
        raise Refused("该业务类型已停止预约，请重新选择。")
    office_id = application.office_id
    try:
        slots.check_day(application.day, overrides=calendar)  # the clock of this transaction
    except slots.DayRefused as exc:
        raise Refused(str(exc)) from None
    if slot is None:
        raise Refused("该预约时段已停止预约，请重新选择。")
    if person_booked:
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
    values = dict(
        code=new_code(), confirm_token=token, office_id=office_id,
        business_type_id=application.business_type_id, slot_id=slot.id,
        day=application.day, start_time=slot.start_time, end_time=slot.end_time,
        agent_type=application.agent_type, agent_name=application.agent_name,
        agent_company=application.agent_company, id_number=application.id_number,
        items=application.items, status=BOOKED, openid=owner.openid,
        hall_user_id=owner.hall_user_id, created_at=clock.utcnow())
    try:
        # One INSERT … RETURNING id, without the unit of work's flush (a third of a
        # 提交's ORM time, issue 15).
        new_id = db.session.execute(_INSERT, values).scalar_one()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the place taken above is given back with it
        existing = by_token(token)
        if existing is not None and owner.owns(existing):
            return existing
        if person_has_booking(application.id_number, application.day):
            raise Refused(PERSON_RULE.format(day=f"{application.day:%Y-%m-%d}")) from None
        raise Refused("系统繁忙，请重新提交。") from None
    metrics.BOOKINGS.inc()
    # What the caller reads (its id for the redirect), without reloading the row: the
    # values just written, outside the session.
    appointment = Appointment(**values)
    set_committed_value(appointment, "id", new_id)
    return appointment


_INSERT = insert(Appointment.__table__).returning(Appointment.__table__.c.id)


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
    if by == BY_DAY:
        # upcoming visits matter most: the span ends at the last bookable day, so the range
        # is as long as the span and passes the three-month rule of ``search`` itself
        ahead = min(days, max(0, (slots.last_day() - today).days))
        return today - timedelta(days=days - ahead), today + timedelta(days=ahead)
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
