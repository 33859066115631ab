"""Timed appointment work: no-shows expire, and a reminder the day before (APT-5, APT-9).

Both are conditional UPDATEs, so two schedulers (or a rerun) never expire or remind
twice; the reminder's flag and its outbox row commit in one transaction.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from models import Appointment
from models.appointment import BOOKED, EXPIRED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic
from wechat_hall.services.wechat.template_messages import queue_template, truncate
from wechat_hall.urls import public_url


@periodic("appointments.expire", 300)
def expire_no_shows():
    """未取号 after the end of its slot → 已过期. Returns how many expired."""
    now_local = clock.local_now()
    today = now_local.date()
    candidates = db.session.execute(db.select(Appointment.id, Appointment.day, Appointment.end_time)
                                    .filter(Appointment.status == BOOKED,
                                            Appointment.day <= today)).all()
    due = [row.id for row in candidates
           if row.day < today or row.end_time <= now_local.time().replace(tzinfo=None)]
    count = 0
    for i in range(0, len(due), 500):
        count += db.session.execute(
            update(Appointment).where(Appointment.id.in_(due[i:i + 500]),
                                      Appointment.status == BOOKED)
            .values(status=EXPIRED, expired_at=clock.utcnow())
            .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count


@periodic("appointments.remind_day_before", 600)
def remind_day_before():
    """From APPOINTMENT_REMINDER_HOUR (after the 15:00 cutoff, so tomorrow is settled) on
    the day before, each 未取号 appointment booked in WeChat gets one template message."""
    now_local = clock.local_now()
    if now_local.hour < current_app.config["APPOINTMENT_REMINDER_HOUR"]:
        return 0
    tomorrow = now_local.date() + timedelta(days=1)
    rows = db.session.execute(db.select(Appointment).filter(
        Appointment.day == tomorrow, Appointment.status == BOOKED,
        Appointment.openid.isnot(None), Appointment.reminder_sent_at.is_(None))).scalars().all()
    sent = 0
    for appointment in rows:
        claimed = db.session.execute(
            update(Appointment).where(Appointment.id == appointment.id,
                                      Appointment.reminder_sent_at.is_(None))
            .values(reminder_sent_at=clock.utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        queue_template(
            appointment.openid, current_app.config["WECHAT_TEMPLATE_APPOINTMENT"],
            {"thing1": truncate(appointment.business_type.name),
             "time2": f"{appointment.day:%Y-%m-%d} {appointment.start_time:%H:%M}",
             "character_string3": appointment.code,
             "thing4": truncate(appointment.office.name)},
            url=public_url("appointments.detail", appointment_id=appointment.id),
            dedup_key=f"apt-remind-{appointment.id}")
        db.session.commit()
        sent += 1
    return sent

