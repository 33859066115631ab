"""排号进度查询 (APT-9): people ahead, an estimate, and the one-time WeChat reminder.

People ahead = waiting tickets of the same queue (office, day, business type) that the
counters will call first: a better priority (checked-in appointment before walk-in), or
the same priority and an earlier ticket. The estimate is people ahead × the mean service
time of the last finished tickets of that queue ÷ the counters serving it.
"""
import math
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import aliased

from models import BusinessType, HallCounter, Office, Ticket
from models.hall_queue import DONE, WAITING, counter_business
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services.wechat.template_messages import queue_template, truncate
from wechat_hall.urls import public_url

RECENT = 20
MAX_REMIND_AHEAD = 10
FAILURE_WINDOW = 600  # seconds


class Refused(ValueError):
    pass


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
    limit = current_app.config["QUEUE_LOOKUP_MAX_FAILURES"]
    try:
        failures = int(get_redis().get(_failures_key(who)) or 0)
    except Exception:  # Redis down: answer, unprotected for a moment, rather than fail
        failures = 0
    if failures >= limit:
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
    """What the polling endpoint answers, in one query (ticket, business, people ahead)
    plus the cached estimate inputs: the hot path of 排号进度查询."""
    _check_guesses(who)
    office_id, code = _clean(office_code, query_code)
    row = None
    if code.isdigit() and len(code) <= 16:
        # A read on its own autocommit connection: no ORM bookkeeping, and no BEGIN /
        # ROLLBACK round trips around the one SELECT.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            row = conn.execute(_status_statement(), {"office_id": office_id, "code": code}).first()
    if row is None or row.day != clock.today():
        _wrong_guess(who, expired=row is not None)
    waiting = row.status == WAITING
    people = row[6] if waiting else 0
    minutes = 0
    if waiting:
        mean, counters = _estimate_inputs(row.office_id, row.business_type_id)
        minutes = math.ceil(people * mean / max(1, counters))
    from models.hall_queue import TICKET_STATUSES
    return dict(label=row.label, business=row.name, status=TICKET_STATUSES[row.status],
                ahead=people, minutes=minutes)


_STATEMENT = {}


def _status_statement():
    """Built once: constructing it costs more than running it."""
    if "status" not in _STATEMENT:
        w = aliased(Ticket)
        ahead = select(func.count(w.id)).where(
            w.office_id == Ticket.office_id, w.day == Ticket.day,
            w.business_type_id == Ticket.business_type_id, w.status == WAITING,
            or_(w.priority < Ticket.priority,
                and_(w.priority == Ticket.priority, w.id < Ticket.id))
        ).correlate(Ticket).scalar_subquery()
        _STATEMENT["status"] = (
            select(Ticket.label, Ticket.status, Ticket.day, Ticket.office_id,
                   Ticket.business_type_id, BusinessType.name, ahead)
            .join(BusinessType, BusinessType.id == Ticket.business_type_id)
            .where(Ticket.office_id == bindparam("office_id"),
                   Ticket.query_code == bindparam("code")))
    return _STATEMENT["status"]


LOCAL_SECONDS = 10


def _estimate_inputs(office_id, business_type_id):
    """Both cached values: in this process for 10 s, else in Redis (one round trip for
    both) for a minute; whichever is missing is computed."""
    local = current_app.extensions.setdefault("queue_estimates", {})
    key = (office_id, business_type_id)
    hit = local.get(key)
    if hit is not None and time.monotonic() - hit[0] < LOCAL_SECONDS:
        return hit[1], hit[2]
    mean, counters = _estimate_inputs_shared(office_id, business_type_id)
    local[key] = (time.monotonic(), mean, counters)
    return mean, counters


def _estimate_inputs_shared(office_id, business_type_id):
    try:
        mean, counters = get_redis().mget(f"queue-mean:{office_id}:{business_type_id}",
                                          f"queue-counters:{office_id}:{business_type_id}")
    except Exception:
        mean = counters = None
    mean = float(mean) if mean is not None else mean_service_minutes(office_id, business_type_id)
    counters = int(counters) if counters is not None else counters_serving(office_id,
                                                                          business_type_id)
    return mean, counters


def people_ahead(ticket):
    if ticket.status != WAITING:
        return 0
    return db.session.execute(db.select(func.count(Ticket.id)).filter(
        Ticket.office_id == ticket.office_id, Ticket.day == ticket.day,
        Ticket.business_type_id == ticket.business_type_id, Ticket.status == WAITING,
        or_(Ticket.priority < ticket.priority,
            and_(Ticket.priority == ticket.priority, Ticket.id < ticket.id)))).scalar_one()


def mean_service_minutes(office_id, business_type_id):
    """Mean minutes from first call to finish over the queue's last finished tickets
    (the default until there are any). Cached a minute: it moves slowly."""
    key = f"queue-mean:{office_id}:{business_type_id}"
    redis = get_redis()
    try:
        cached = redis.get(key)
        if cached is not None:
            return float(cached)
    except Exception:
        redis = None
    rows = db.session.execute(
        db.select(Ticket.called_at, Ticket.finished_at).filter(
            Ticket.office_id == office_id, Ticket.business_type_id == business_type_id,
            Ticket.status == DONE, Ticket.called_at.isnot(None),
            Ticket.day >= clock.today() - timedelta(days=30))
        .order_by(Ticket.finished_at.desc()).limit(RECENT)).all()
    spans = [(done - called).total_seconds() / 60 for called, done in rows if done and called]
    mean = (sum(spans) / len(spans)) if spans else float(
        current_app.config["QUEUE_DEFAULT_SERVICE_MINUTES"])
    mean = max(mean, 0.5)
    if redis is not None:
        try:
            redis.set(key, mean, ex=60)
        except Exception:
            pass
    return mean


def counters_serving(office_id, business_type_id):
    """Active counters that serve the queue (cached a minute, like the mean)."""
    key = f"queue-counters:{office_id}:{business_type_id}"
    try:
        cached = get_redis().get(key)
        if cached is not None:
            return int(cached)
    except Exception:
        cached = None
    count = _count_counters(office_id, business_type_id)
    try:
        get_redis().set(key, count, ex=60)
    except Exception:
        pass
    return count


def _count_counters(office_id, business_type_id):
    return db.session.execute(
        db.select(func.count(HallCounter.id)).join(
            counter_business, counter_business.c.counter_id == HallCounter.id)
        .filter(HallCounter.office_id == office_id, HallCounter.active.is_(True),
                counter_business.c.business_type_id == business_type_id)).scalar_one()


def estimate_minutes(ticket, ahead):
    if ticket.status != WAITING:
        return 0
    counters = max(1, counters_serving(ticket.office_id, ticket.business_type_id))
    return math.ceil(ahead * mean_service_minutes(ticket.office_id, ticket.business_type_id)
                     / counters)


def progress(ticket):
    ahead = people_ahead(ticket)
    return dict(ticket=ticket, ahead=ahead, minutes=estimate_minutes(ticket, ahead))


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
    commit together, so each ticket is reminded once."""
    waiting = db.session.execute(db.select(Ticket).filter(
        Ticket.office_id == office_id, Ticket.day == day,
        Ticket.business_type_id == business_type_id, Ticket.status == WAITING
    ).order_by(Ticket.priority, Ticket.id).execution_options(populate_existing=True)
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
