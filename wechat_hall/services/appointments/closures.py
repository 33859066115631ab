"""Closing a day people have booked (APT-6): count them first, then cancel and tell them.

A day closes when the operator marks it 休息日 in the back office, or when an imported
State Council notice makes it a day off. Either way the closing is refused while the day
has bookings, with their count, until the person closing it confirms; then, in the same
transaction as the closure, each 未取号 appointment of the day is cancelled with a
conditional UPDATE (its place goes back to the slot) and one WeChat template message is
queued through the outbox (dedup key ``apt-closed-<id>``): however often the closure is
saved, imported or retried, each person is cancelled and told once. Removing a closure
reopens the day: its places are bookable again; cancelled appointments stay cancelled
(their owners were told, and may book again).
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import update

from models import Appointment, HallUser
from models.appointment import BOOKED, CANCELLED
from models.calendar import HOLIDAY
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.calendar import notices
from wechat_hall.services.wechat.template_messages import queue_template, truncate
from wechat_hall.urls import public_url

from . import calendar, slots


def booked_count(day):
    """未取号 appointments on ``day``, every hall."""
    return db.session.execute(db.select(db.func.count(Appointment.id)).filter(
        Appointment.day == day, Appointment.status == BOOKED)).scalar_one()


def booked_days(first, last):
    """{day: 未取号 count} of the days from ``first`` to ``last`` that have bookings."""
    rows = db.session.execute(
        db.select(Appointment.day, db.func.count(Appointment.id))
        .filter(Appointment.day >= first, Appointment.day <= last,
                Appointment.status == BOOKED).group_by(Appointment.day)).all()
    return dict(rows)


def closed_with_bookings(first, last):
    """[(day, count, reason)] of booked days in the range the calendar now closes (after
    a change written in this transaction, before its commit)."""
    found = []
    for day, count in sorted(booked_days(first, last).items()):
        status = calendar.day_status(day)
        if not status.open:
            found.append((day, count, status.reason or "休息"))
    return found


def warning(day, count):
    return (f"{day:%Y-%m-%d}已有{count}个有效预约（未取号）。确认闭厅将取消这些预约、"
            "释放号源，并通过微信模板消息通知预约人。")


def _recipient(appointment):
    if appointment.openid:
        return appointment.openid
    if appointment.hall_user_id:
        return db.session.execute(db.select(HallUser.openid).filter_by(
            id=appointment.hall_user_id)).scalar_one_or_none()
    return None


def cancel_day(day, reason):
    """Cancel the day's 未取号 appointments and queue one message each (caller commits).
    Returns (cancelled, told): how many were cancelled, how many of them were told in
    WeChat (the others booked on the web without a WeChat binding)."""
    reason = (reason or "营业厅闭厅")[:64]
    rows = db.session.execute(db.select(Appointment).filter(
        Appointment.day == day, Appointment.status == BOOKED)).scalars().all()
    cancelled = told = 0
    for appointment in rows:
        claimed = db.session.execute(
            update(Appointment).where(Appointment.id == appointment.id,
                                      Appointment.status == BOOKED)
            .values(status=CANCELLED, cancelled_at=clock.utcnow(), cancel_reason=reason)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        slots.release_place(appointment.slot_id)
        cancelled += 1
        openid = _recipient(appointment)
        if openid is None:
            continue
        queue_template(
            openid, current_app.config["WECHAT_TEMPLATE_APPOINTMENT_CANCELLED"],
            {"thing1": truncate(appointment.business_type.name),
             "time2": f"{appointment.day:%Y-%m-%d} {appointment.start_time:%H:%M}",
             "character_string3": appointment.code,
             "thing4": truncate(appointment.office.name),
             "thing5": truncate(f"{reason}，预约已取消")},
            url=public_url("appointments.detail", appointment_id=appointment.id),
            dedup_key=f"apt-closed-{appointment.id}")
        told += 1
    return cancelled, told


# -- an imported notice that closes booked days ----------------------------------------

class BookedDaysClosed(ValueError):
    """The notice would close days people booked; ``days`` is [(day, count, reason)]."""

    def __init__(self, days):
        super().__init__("；".join(warning(day, count) for day, count, _ in days))
        self.days = days


@dataclass
class NoticeImported:
    years: list
    days_off: int
    worked: int
    cancelled: int = 0
    told: int = 0


def import_notice(data, source="", cancel_bookings=False):
    """Load a notice (``notices.parse``; raises ``NoticeRefused``) in place of its years'
    rows; closing booked days needs ``cancel_bookings`` (else :class:`BookedDaysClosed`).
    The caller commits, or rolls back on a refusal: nothing is half written."""
    days = notices.parse(data)
    years = notices.replace(days, source)
    result = NoticeImported(years, sum(d.kind == HOLIDAY for d in days),
                            sum(d.kind != HOLIDAY for d in days))
    found = closed_with_bookings(date(years[0], 1, 1), date(years[-1], 12, 31))
    if found and not cancel_bookings:
        raise BookedDaysClosed(found)
    for day, _, reason in found:
        cancelled, told = cancel_day(day, reason)
        result.cancelled += cancelled
        result.told += told
    return result
