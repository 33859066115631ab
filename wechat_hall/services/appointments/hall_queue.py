"""取号 at the kiosk (APT-7): appointment check-in and walk-in tickets.

Numbers come from one row per (office, day, business type) incremented with
``UPDATE … RETURNING``, under ``UNIQUE(office, day, business type, number)``; the
排队码 printed beside the number is random and is what 排号进度查询 asks for.
"""
import re
import secrets

from sqlalchemy import update

from models import Appointment, BusinessType, QueueNumber, Ticket
from models.appointment import BOOKED, CANCELLED, CHECKED_IN, EXPIRED
from models.hall_queue import PRIORITY_APPOINTMENT, PRIORITY_WALK_IN, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.db_locks import begin_write, insert_ignore

QUERY_CODE_DIGITS = 10
_CODE_RE = re.compile(r"(\d{10})")


class Refused(ValueError):
    """The kiosk cannot issue this ticket; ``str(exc)`` is shown, nothing changed."""


def extract_code(raw):
    """The 10-digit 预约码 in what a scanner or a person typed (spaces, a prefix, a URL)."""
    text = re.sub(r"\s+", "", raw or "")
    match = _CODE_RE.search(text)
    return match.group(1) if match else None


def _next_number(office_id, business_type_id, day):
    db.session.execute(insert_ignore(QueueNumber).values(
        office_id=office_id, business_type_id=business_type_id, day=day, last_number=0
    ).on_conflict_do_nothing(index_elements=["office_id", "day", "business_type_id"]))
    return db.session.execute(
        update(QueueNumber)
        .where(QueueNumber.office_id == office_id, QueueNumber.day == day,
               QueueNumber.business_type_id == business_type_id)
        .values(last_number=QueueNumber.last_number + 1)
        .returning(QueueNumber.last_number)
        .execution_options(synchronize_session=False)).scalar_one()


def _query_code(office_id):
    while True:
        code = str(secrets.randbelow(9 * 10 ** (QUERY_CODE_DIGITS - 1)) + 10 ** (QUERY_CODE_DIGITS - 1))
        taken = db.session.execute(db.select(Ticket.id).filter_by(
            office_id=office_id, query_code=code)).first()
        if not taken:
            return code


def _issue(office_id, business, priority, appointment_id=None):
    day = clock.today()
    number = _next_number(office_id, business.id, day)
    ticket = Ticket(office_id=office_id, business_type_id=business.id, day=day, number=number,
                    label=f"{business.ticket_prefix}{number:03d}",
                    query_code=_query_code(office_id), appointment_id=appointment_id,
                    priority=priority, status=WAITING, issued_at=clock.utcnow())
    db.session.add(ticket)
    db.session.flush()
    return ticket


def ticket_of_appointment(appointment_id):
    return db.session.execute(db.select(Ticket).filter_by(
        appointment_id=appointment_id)).scalar_one_or_none()


def check_in(office, raw_code):
    """Scan or typed code → (ticket, reprint). ``reprint`` is True when the appointment
    had been checked in already (a second scan prints the same ticket, never a new one)."""
    code = extract_code(raw_code)
    if code is None:
        raise Refused("请扫描预约二维码或输入10位预约码。")
    begin_write()
    appointment = db.session.execute(db.select(Appointment).filter_by(code=code)).scalar_one_or_none()
    if appointment is None:
        raise Refused("未找到该预约码，请核对后重试，或领取普通号。")
    if appointment.office_id != office.id:
        raise Refused(f"该预约的办理地区为{appointment.office.region}，"
                      f"请到{appointment.office.name}取号。")
    if appointment.status == CHECKED_IN:
        ticket = ticket_of_appointment(appointment.id)
        db.session.commit()
        return ticket, True
    if appointment.status == CANCELLED:
        raise Refused("该预约已取消，请领取普通号。")
    if appointment.status == EXPIRED:
        raise Refused("该预约已过期，请领取普通号。")
    now_local = clock.local_now()
    if appointment.day != now_local.date():
        raise Refused(f"该预约的办理日期为{appointment.day:%Y-%m-%d}，请于当日到厅取号。")
    if now_local.time().replace(tzinfo=None) >= appointment.end_time:
        db.session.execute(update(Appointment).where(
            Appointment.id == appointment.id, Appointment.status == BOOKED
        ).values(status=EXPIRED, expired_at=clock.utcnow()).execution_options(
            synchronize_session=False))
        db.session.commit()
        raise Refused(f"预约时段{appointment.slot_label}已过，预约已过期，请领取普通号。")
    claimed = db.session.execute(
        update(Appointment).where(Appointment.id == appointment.id, Appointment.status == BOOKED)
        .values(status=CHECKED_IN, checked_in_at=clock.utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:  # another kiosk got there first
        db.session.rollback()
        ticket = ticket_of_appointment(appointment.id)
        if ticket is None:
            raise Refused("该预约状态已变化，请重新扫描。")
        return ticket, True
    ticket = _issue(office.id, appointment.business_type, PRIORITY_APPOINTMENT, appointment.id)
    db.session.commit()
    return ticket, False


def walk_in(office, business_type_id):
    """A ticket for someone without an appointment."""
    try:
        business_type_id = int(business_type_id)
    except (TypeError, ValueError):
        raise Refused("请选择业务类型。") from None
    begin_write()
    business = db.session.get(BusinessType, business_type_id)
    if business is None or business.office_id != office.id or not business.active:
        raise Refused("请选择本大厅办理的业务类型。")
    ticket = _issue(office.id, business, PRIORITY_WALK_IN)
    db.session.commit()
    return ticket


def ticket_for_office(office, ticket_id):
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.office_id != office.id:
        return None
    return ticket


def issued_at_local(ticket):
    return clock.to_local(ticket.issued_at).strftime("%Y-%m-%d %H:%M:%S")


__all__ = ["check_in", "walk_in", "extract_code", "Refused", "ticket_for_office",
           "issued_at_local"]
