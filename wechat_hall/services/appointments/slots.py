"""Booking dates and places (APT-2, APT-6): the window, the 15:00 cutoff, capacity.

A slot template becomes a ``BookingSlot`` row for a date the first time anybody needs
it (a page, a booking, or the hourly job that prepares the window). Places are taken
with one conditional UPDATE — ``booked = booked + 1 WHERE booked + 1 <= capacity`` —
so however many people confirm at once, no more than ``capacity`` succeed.
"""
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, update

from models import BookingSlot, Office, SlotTemplate
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic
from wechat_hall.services.db_locks import insert_ignore

from . import calendar


class DayRefused(ValueError):
    """A date nobody may book now; ``str(exc)`` is the message."""


def cutoff_time():
    hours, minutes = (int(x) for x in current_app.config["APPOINTMENT_CUTOFF"].split(":"))
    return time(hours, minutes)


def cutoff_rule():
    """每日下午15:00停止预约次日的号源, from APPOINTMENT_CUTOFF: the words of the refusal,
    the booking pages and the chat's FAQ."""
    cutoff = cutoff_time()
    return f"每日{'下午' if cutoff.hour >= 12 else '上午'}{cutoff:%H:%M}停止预约次日的号源"


def earliest_day(now_local=None):
    """每日下午15:00停止预约次日的号源: before the cutoff tomorrow is the first bookable
    day, from the cutoff on it is the day after. Today is never bookable."""
    now_local = now_local or clock.local_now()
    days = 1 if now_local.time() < cutoff_time() else 2
    return now_local.date() + timedelta(days=days)


def last_day(now_local=None):
    now_local = now_local or clock.local_now()
    return now_local.date() + timedelta(days=current_app.config["APPOINTMENT_WINDOW_DAYS"])


def window(now_local=None):
    """Every date of the booking window with its calendar status (open or why not)."""
    now_local = now_local or clock.local_now()
    return calendar.statuses(earliest_day(now_local), last_day(now_local))


def check_day(day, now_local=None, overrides=None):
    """Raise :class:`DayRefused` unless ``day`` may be booked now (server side, in the
    booking transaction). ``overrides``: the operator's calendar rows already read
    ({day: CalendarDay}; a day missing has none)."""
    now_local = now_local or clock.local_now()
    if day <= now_local.date():
        raise DayRefused("预约日期须晚于今天，请重新选择。")
    if day < earliest_day(now_local):
        raise DayRefused(f"{cutoff_rule()}，{day:%Y-%m-%d}已停止预约，请选择其他日期。")
    if day > last_day(now_local):
        raise DayRefused(f"仅可预约{current_app.config['APPOINTMENT_WINDOW_DAYS']}天内的号源，"
                         "请重新选择日期。")
    status = calendar.day_status(day, overrides)
    if not status.open:
        raise DayRefused(f"{day:%Y-%m-%d}为{status.reason or '休息日'}，不受理预约，请选择工作日。")


def ensure_slots(office_id, day):
    """Materialise the office's active templates for ``day`` (idempotent, race-safe)."""
    templates = db.session.execute(db.select(SlotTemplate).filter_by(
        office_id=office_id, active=True)).scalars().all()
    if not templates:
        return
    rows = [dict(office_id=office_id, template_id=t.id, day=day, start_time=t.start_time,
                 end_time=t.end_time, capacity=t.capacity, booked=0) for t in templates]
    db.session.execute(insert_ignore(BookingSlot).values(rows).on_conflict_do_nothing(
        index_elements=["office_id", "day", "template_id"]))


def slots_of(office_id, day, materialise=True):
    """The day's slots of the office's active templates, in time order."""
    if materialise:
        ensure_slots(office_id, day)
    return db.session.execute(
        db.select(BookingSlot).join(SlotTemplate, SlotTemplate.id == BookingSlot.template_id)
        .filter(BookingSlot.office_id == office_id, BookingSlot.day == day,
                SlotTemplate.active.is_(True))
        .order_by(BookingSlot.start_time)).scalars().all()


def slot_for(office_id, template_id, day):
    """The slot row of an active template (materialised first if nobody needed it yet)."""
    def find():
        return db.session.execute(
            db.select(BookingSlot).join(SlotTemplate, SlotTemplate.id == BookingSlot.template_id)
            .filter(BookingSlot.office_id == office_id, BookingSlot.day == day,
                    BookingSlot.template_id == template_id,
                    SlotTemplate.active.is_(True))).scalar_one_or_none()
    slot = find()
    if slot is None:
        ensure_slots(office_id, day)
        slot = find()
    return slot


def take_place(slot_id):
    """One place of the slot, or False when it is full. The whole rule is the WHERE."""
    return db.session.execute(_TAKE_PLACE, {"slot_id": slot_id}).rowcount == 1


# Built once (every 提交 runs it).
_TAKE_PLACE = (update(BookingSlot)
               .where(BookingSlot.id == bindparam("slot_id"),
                      BookingSlot.booked + 1 <= BookingSlot.capacity)
               .values(booked=BookingSlot.booked + 1)
               .execution_options(synchronize_session=False))


def release_place(slot_id):
    db.session.execute(
        update(BookingSlot).where(BookingSlot.id == slot_id, BookingSlot.booked > 0)
        .values(booked=BookingSlot.booked - 1).execution_options(synchronize_session=False))


def slot_start_utc(day, start_time):
    return clock.to_utc(datetime.combine(day, start_time))


def apply_template_capacity(template):
    """The back office changed a template: future days already prepared follow it."""
    db.session.execute(
        update(BookingSlot)
        .where(BookingSlot.template_id == template.id, BookingSlot.day > clock.today())
        .values(capacity=template.capacity, start_time=template.start_time,
                end_time=template.end_time)
        .execution_options(synchronize_session=False))


@periodic("appointments.prepare_window", 3600)
def prepare_window():
    """Materialise the open days of the window for every office, so the back office can
    adjust the capacity of one date (号源) before anyone books it."""
    days = [d.day for d in window() if d.open]
    offices = db.session.execute(db.select(Office.id).filter_by(active=True)).scalars().all()
    for office_id in offices:
        for day in days:
            ensure_slots(office_id, day)
    db.session.commit()
