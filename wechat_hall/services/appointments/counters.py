"""柜台叫号 (APT-8): call next, recall, skip (过号), finish, per business type.

Order of service within the business types a counter serves: checked-in appointments
first (priority 0), then walk-ins (priority 1), each by ticket order (first come, first
served). "Call next" picks the first waiting ticket (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite) and claims it with a conditional UPDATE
``WHERE status = 'waiting'``: two counters pressing at once never get the same ticket.
"""
from sqlalchemy import update

from models import HallCounter, Office, Ticket
from models.hall_queue import CALLED, DONE, NO_SHOW, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.db_locks import begin_write

from . import poll_snapshot, progress

ATTEMPTS = 10


class Refused(ValueError):
    pass


def counters_for(staff):
    """The counters a signed-in staff member may work at (their office's; admin: all)."""
    query = db.select(HallCounter).filter_by(active=True).order_by(
        HallCounter.office_id, HallCounter.sort_order, HallCounter.id)
    if staff.office_id and "admin" not in staff.role_set:
        query = query.filter(HallCounter.office_id == staff.office_id)
    return db.session.execute(query).scalars().all()


def counter_for(staff, counter_id):
    try:
        counter_id = int(counter_id)
    except (TypeError, ValueError):
        return None
    for counter in counters_for(staff):
        if counter.id == counter_id:
            return counter
    return None


def current_ticket(counter):
    return db.session.execute(db.select(Ticket).filter_by(
        counter_id=counter.id, status=CALLED, day=clock.today())).scalars().first()


def waiting_counts(counter):
    """{business type id: waiting tickets} for the counter's business types today."""
    ids = [b.id for b in counter.business_types]
    if not ids:
        return {}
    rows = db.session.execute(db.select(Ticket.business_type_id, db.func.count(Ticket.id)).filter(
        Ticket.office_id == counter.office_id, Ticket.day == clock.today(),
        Ticket.status == WAITING, Ticket.business_type_id.in_(ids)
    ).group_by(Ticket.business_type_id)).all()
    counts = {i: 0 for i in ids}
    counts.update({bt: n for bt, n in rows})
    return counts


def call_next(counter, staff, business_type_id=None):
    """Claim the next waiting ticket for this counter. Returns it, or None if nobody waits."""
    served = [b.id for b in counter.business_types if b.active]
    if business_type_id not in (None, ""):
        try:
            business_type_id = int(business_type_id)
        except (TypeError, ValueError):
            raise Refused("请选择本窗口办理的业务类型。") from None
        if business_type_id not in served:
            raise Refused("请选择本窗口办理的业务类型。")
        served = [business_type_id]
    if not served:
        raise Refused("本窗口尚未设置办理的业务类型，请联系管理员。")
    begin_write()
    current = current_ticket(counter)
    if current is not None:
        db.session.rollback()
        raise Refused(f"请先办结或过号当前号码 {current.label}。")
    today = clock.today()
    for _ in range(ATTEMPTS):
        candidate = db.session.execute(
            db.select(Ticket.id).filter(
                Ticket.office_id == counter.office_id, Ticket.day == today,
                Ticket.status == WAITING, Ticket.business_type_id.in_(served))
            .order_by(*progress.CALL_ORDER).limit(1)
            .with_for_update(skip_locked=True)).scalar_one_or_none()
        if candidate is None:
            db.session.commit()
            return None
        now = clock.utcnow()
        claimed = db.session.execute(
            update(Ticket).where(Ticket.id == candidate, Ticket.status == WAITING)
            .values(status=CALLED, counter_id=counter.id, called_by_id=staff.id,
                    called_at=now, announced_at=now, call_count=1)
            .execution_options(synchronize_session=False)).rowcount
        if claimed:
            poll_snapshot.changed(db.session, counter.office_id)
            ticket = db.session.get(Ticket, candidate)
            db.session.refresh(ticket)
            progress.send_due_reminders(ticket.office_id, ticket.day,
                                              ticket.business_type_id)
            db.session.commit()
            return ticket
    db.session.rollback()
    raise Refused("叫号繁忙，请重试。")


def _change_current(counter, **values):
    begin_write()
    ticket = current_ticket(counter)
    if ticket is None:
        db.session.rollback()
        raise Refused("当前没有正在呼叫的号码。")
    done = db.session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.status == CALLED,
                             Ticket.counter_id == counter.id)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not done:
        db.session.rollback()
        raise Refused("该号码状态已变化，请刷新页面。")
    poll_snapshot.changed(db.session, counter.office_id)
    db.session.commit()
    db.session.refresh(ticket)
    return ticket


def recall(counter):
    return _change_current(counter, call_count=Ticket.call_count + 1,
                           announced_at=clock.utcnow())


def skip(counter):
    return _change_current(counter, status=NO_SHOW, finished_at=clock.utcnow())


def finish(counter):
    return _change_current(counter, status=DONE, finished_at=clock.utcnow())


def display(office_code, limit=8):
    """What the hall's screen shows: the latest calls of the office today."""
    office = db.session.execute(db.select(Office).filter_by(code=office_code)).scalar_one_or_none()
    if office is None:
        return None, []
    rows = db.session.execute(db.select(Ticket).filter(
        Ticket.office_id == office.id, Ticket.day == clock.today(),
        Ticket.announced_at.isnot(None)
    ).order_by(Ticket.announced_at.desc()).limit(limit)).scalars().all()
    return office, rows
