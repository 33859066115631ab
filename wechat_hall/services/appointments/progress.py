"""排号进度查询 (APT-9): people ahead, an estimate, and the one-time WeChat reminder.

People ahead = waiting tickets of the same queue (office, day, business type) that the
counters will call first: a better priority (checked-in appointment before walk-in), or
the same priority and an earlier ticket — :data:`CALL_ORDER`, which the counters call by,
and :func:`ahead_of`, which every count here is built from. The estimate is
:func:`wait_estimate.wait_minutes`: people ahead × the mean service time of the last
finished tickets of that queue ÷ the counters serving it. The polling endpoint's
one-statement fast path (:func:`quick_status`) uses the same definitions;
tests/appointments/test_queue_progress.py checks it agrees with :func:`progress` on
crafted queues.
"""
import functools
import time

from flask import current_app
from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import aliased

from models import BusinessType, Office, Ticket
from models.hall_queue import TICKET_STATUSES, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services.db_reads import read_connection
from wechat_hall.services.wechat.template_messages import queue_template, truncate
from wechat_hall.urls import public_url

from . import poll_snapshot, wait_estimate

MAX_REMIND_AHEAD = 10
FAILURE_WINDOW = 600  # seconds


# The order the counters call a queue in (services/appointments/counters.py).
CALL_ORDER = (Ticket.priority, Ticket.id)


class Refused(ValueError):
    pass


def ahead_of(other, ticket):
    """SQL: ``other`` (the Ticket entity or an alias) waits in ``ticket``'s queue and will
    be called before it. ``ticket`` is a Ticket row, or the correlated entity itself."""
    return and_(other.office_id == ticket.office_id, other.day == ticket.day,
                other.business_type_id == ticket.business_type_id, other.status == WAITING,
                or_(other.priority < ticket.priority,
                    and_(other.priority == ticket.priority, other.id < ticket.id)))


def _failures_key(who):
    return f"queue-lookup-fail:{who}"


OFFICE_CACHE_SECONDS = 60


def office_id_for(code):
    """Active office id by code, cached a minute per app and process (offices rarely
    change)."""
    cache = current_app.extensions.setdefault("queue_office_ids", {"at": -1e9, "ids": {}})
    now = time.monotonic()
    age = now - cache["at"]
    # A code not known yet (a new office) reloads at once, at most once a second.
    if age > OFFICE_CACHE_SECONDS or ((code or "") not in cache["ids"] and age > 1):
        rows = db.session.execute(db.select(Office.code, Office.id).filter_by(active=True)).all()
        cache["ids"] = dict(rows)
        cache["at"] = now
    return cache["ids"].get(code or "")


def _check_guesses(who):
    try:
        failures = get_redis().get(_failures_key(who))
    except Exception as exc:
        failures = exc
    _refuse_when_blocked(failures)


def _refuse_when_blocked(failures):
    """``failures``: Redis's reply for the address's counter, or the exception when Redis
    did not answer (then answer, unprotected for a moment, rather than fail)."""
    try:
        count = int(failures or 0)
    except (TypeError, ValueError):
        count = 0
    if count >= current_app.config["QUEUE_LOOKUP_MAX_FAILURES"]:
        raise Refused("查询错误次数过多，请10分钟后再试。")


def _wrong_guess(who, expired):
    try:
        pipe = get_redis().pipeline()
        pipe.incr(_failures_key(who))
        pipe.expire(_failures_key(who), FAILURE_WINDOW)
        pipe.execute()
    except Exception:
        pass
    if expired:
        raise Refused("该排队码已失效（仅当日有效）。")
    raise Refused("未找到该排队码，请核对办理地区和排队号单上的排队码。")


def _clean(office_code, query_code):
    code = "".join((query_code or "").split())
    office_id = office_id_for(office_code)
    if office_id is None:
        raise Refused("请选择办理地区。")
    if not code:
        raise Refused("请输入排队码。")
    return office_id, code


def lookup(office_code, query_code, who):
    """The ticket for (region, 排队码), or Refused with the message. ``who`` (the client's
    address) is limited in wrong guesses so that codes cannot be tried one by one."""
    _check_guesses(who)
    office_id, code = _clean(office_code, query_code)
    ticket = None
    if code.isdigit() and len(code) <= 16:
        ticket = db.session.execute(db.select(Ticket).filter_by(
            office_id=office_id, query_code=code)).scalar_one_or_none()
    if ticket is None or ticket.day != clock.today():
        _wrong_guess(who, expired=ticket is not None)
    return ticket


def find_today(query_code, who):
    """Today's ticket with this 排队码 in any hall (the chat does not ask for the region);
    wrong guesses are limited like the page's."""
    _check_guesses(who)
    code = "".join((query_code or "").split())
    tickets = db.session.execute(db.select(Ticket).filter_by(
        query_code=code, day=clock.today())).scalars().all() if code.isdigit() else []
    if len(tickets) != 1:  # none, or (very rarely) the same code in two halls
        _wrong_guess(who, expired=False)
    return tickets[0]


def quick_status(office_code, query_code, who):
    """What the polling endpoint answers: the same answer as :func:`progress` gives for
    the ticket. The hot path of 排号进度查询: one Redis round trip asks the wrong-guess
    counter and the ticket's entry in the office's line (poll_snapshot.py); a code the
    line does not have is asked of the database in one statement (ticket, business,
    people ahead by :func:`ahead_of`)."""
    code = "".join((query_code or "").split())
    office_id = office_id_for(office_code)
    entry = None
    if (office_id is not None and code.isdigit() and len(code) <= 16
            and current_app.config["QUEUE_POLL_SNAPSHOT_SECONDS"] > 0):
        (failures,), entry = poll_snapshot.lookup(office_id, code, [("GET", _failures_key(who))])
        _refuse_when_blocked(failures)
        if entry is False:  # no copy of the line: read it (or, while another poll does, this one)
            entry = poll_snapshot.build(office_id, code, line_of)
    else:
        _check_guesses(who)
    if entry:
        return _answer(entry["label"], entry["business"], entry["status"], office_id,
                       entry["business_type_id"], entry["ahead"])
    office_id, code = _clean(office_code, query_code)
    row = None
    if code.isdigit() and len(code) <= 16:
        # A read on an autocommit connection: no ORM bookkeeping, and no BEGIN /
        # ROLLBACK round trips around the one SELECT.
        with read_connection() as conn:
            row = conn.execute(_status_statement(), {"office_id": office_id, "code": code}).first()
    if row is None or row.day != clock.today():
        _wrong_guess(who, expired=row is not None)
    return _answer(row.label, row.name, row.status, office_id, row.business_type_id, row[6])


def _answer(label, business, status, office_id, business_type_id, ahead):
    waiting = status == WAITING
    people = ahead if waiting else 0
    minutes = wait_estimate.wait_minutes(
        people, *wait_estimate.local_inputs(office_id, business_type_id)) if waiting else 0
    return dict(label=label, business=business, status=TICKET_STATUSES[status],
                ahead=people, minutes=minutes)


@functools.cache
def _status_statement():
    """Built once: constructing it costs more than running it."""
    w = aliased(Ticket)
    ahead = select(func.count(w.id)).where(ahead_of(w, Ticket)).correlate(
        Ticket).scalar_subquery()
    return (select(Ticket.label, Ticket.status, Ticket.day, Ticket.office_id,
                   Ticket.business_type_id, BusinessType.name, ahead)
            .join(BusinessType, BusinessType.id == Ticket.business_type_id)
            .where(Ticket.office_id == bindparam("office_id"),
                   Ticket.query_code == bindparam("code")))


def line_of(office_id, day):
    """{排队码: entry} of the office's tickets of ``day``, what the poll's copy in Redis
    holds (poll_snapshot.py): label, business name, status, business type and people
    ahead — a waiting ticket's row number in CALL_ORDER among its queue's waiting tickets,
    which is :func:`ahead_of` counted."""
    with read_connection() as conn:
        rows = conn.execute(_line_statement(), {"office_id": office_id, "day": day}).all()
    return {code: dict(label=label, status=status, business_type_id=bt, business=name,
                       ahead=int(n))
            for code, label, status, bt, name, n in rows}


@functools.cache
def _line_statement():
    waiting = Ticket.status == WAITING
    ahead = case((waiting, func.row_number().over(
        partition_by=(Ticket.business_type_id, waiting), order_by=CALL_ORDER) - 1), else_=0)
    return (select(Ticket.query_code, Ticket.label, Ticket.status, Ticket.business_type_id,
                   BusinessType.name, ahead)
            .join(BusinessType, BusinessType.id == Ticket.business_type_id)
            .where(Ticket.office_id == bindparam("office_id"), Ticket.day == bindparam("day")))


def people_ahead(ticket):
    if ticket.status != WAITING:
        return 0
    return db.session.execute(db.select(func.count(Ticket.id)).filter(
        ahead_of(Ticket, ticket))).scalar_one()


def progress(ticket):
    """The definition: people ahead counted for this ticket, and the estimate for them."""
    ahead = people_ahead(ticket)
    minutes = wait_estimate.minutes_for(ticket, ahead) if ticket.status == WAITING else 0
    return dict(ticket=ticket, ahead=ahead, minutes=minutes)


def request_reminder(ticket, openid, ahead_limit):
    """Remind ``openid`` once when at most ``ahead_limit`` people are ahead. Returns True
    when that is already so (the reminder has just been queued)."""
    if not openid:
        raise Refused("请在微信中打开本页面以接收提醒。")
    try:
        ahead_limit = int(ahead_limit)
    except (TypeError, ValueError):
        raise Refused(f"请选择提醒人数（1-{MAX_REMIND_AHEAD}人）。") from None
    if not 1 <= ahead_limit <= MAX_REMIND_AHEAD:
        raise Refused(f"请选择提醒人数（1-{MAX_REMIND_AHEAD}人）。")
    if ticket.status != WAITING:
        raise Refused("该号码已叫号或已办结，无需提醒。")
    if ticket.reminded_at is not None:
        raise Refused("提醒已发送，请留意微信消息。")
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.reminded_at.is_(None))
                       .values(remind_openid=openid, remind_ahead=ahead_limit)
                       .execution_options(synchronize_session=False))
    sent = send_due_reminders(ticket.office_id, ticket.day, ticket.business_type_id)
    db.session.commit()
    db.session.refresh(ticket)
    return sent > 0 and ticket.reminded_at is not None


def send_due_reminders(office_id, day, business_type_id):
    """In the caller's transaction: queue the reminder of every waiting ticket of the
    queue whose people ahead have dropped to its limit. The flag and the outbox row
    commit together, so each ticket is reminded once. One read of the queue in
    CALL_ORDER: a ticket's position in it is its people ahead (:func:`ahead_of`)."""
    waiting = db.session.execute(db.select(Ticket).filter(
        Ticket.office_id == office_id, Ticket.day == day,
        Ticket.business_type_id == business_type_id, Ticket.status == WAITING
    ).order_by(*CALL_ORDER).execution_options(populate_existing=True)
    ).scalars().all()
    sent = 0
    for ahead, ticket in enumerate(waiting):
        if ticket.remind_openid and ticket.reminded_at is None and ahead <= (ticket.remind_ahead or 0):
            claimed = db.session.execute(
                update(Ticket).where(Ticket.id == ticket.id, Ticket.reminded_at.is_(None))
                .values(reminded_at=clock.utcnow()).execution_options(
                    synchronize_session=False)).rowcount
            if not claimed:
                continue
            queue_template(
                ticket.remind_openid, current_app.config["WECHAT_TEMPLATE_QUEUE"],
                {"thing1": truncate(ticket.business_type.name),
                 "character_string2": ticket.label,
                 "number3": str(ahead),
                 "thing4": truncate(f"{ticket.office.name}，请留意叫号")},
                url=public_url("queue.progress_page", office=ticket.office.code),
                dedup_key=f"queue-remind-{ticket.id}")
            sent += 1
    return sent
