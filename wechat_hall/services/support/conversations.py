"""The investor's conversation with online customer service (CS-1, CS-2, CS-4).

A conversation is held by the bot (status ``bot``) until it is handed to a person
(``waiting`` in its queue's line, then ``assigned``); chat.py answers what the investor
types while the bot holds it. Here: the queues, rules, knowledge entries and business
hours as the back office keeps them; opening a conversation (one per investor) and adding
its messages; the service centre's choice of queue; the hand-off and what the investor
is told while waiting; 转人工 from the page.
"""
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from models import CsBusinessHours, CsConversation, CsKnowledge, CsMessage, CsQueue, CsRule
from models.support import ASSIGNED, BOT, EVENT, IN, RESOLVED, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.calendar import national

from . import hours as cs_hours
from . import knowledge, open_index, routing
from .window import WINDOW_HOURS

# A conversation the bot held this long without a word is over; the next question
# starts afresh (the investor's old choice of queue no longer holds).
BOT_IDLE = timedelta(hours=24)


class Refused(Exception):
    """A request the investor cannot make now; the message says why, in Chinese."""


# -- lookups ---------------------------------------------------------------------------

def active_queues():
    return db.session.execute(db.select(CsQueue).filter_by(active=True)
                              .order_by(CsQueue.sort_order, CsQueue.id)).scalars().all()


# has_queues() runs for every free text; queues change in the back office, rarely. The
# answer is kept QUEUES_TTL seconds per process, and forgotten in the process that writes
# a queue (another process sees the change within QUEUES_TTL).
QUEUES_TTL = 10
_queue_writes = [0]  # bumped by every write of a queue in this process


def has_queues():
    known = current_app.extensions.get("cs_has_queues")  # (answer, until, writes)
    if known is None or time.monotonic() >= known[1] or known[2] != _queue_writes[0]:
        writes = _queue_writes[0]
        answer = db.session.execute(db.select(CsQueue.id).filter_by(active=True).limit(1)
                                    ).first() is not None
        known = current_app.extensions["cs_has_queues"] = (
            answer, time.monotonic() + QUEUES_TTL, writes)
    return known[0]


@event.listens_for(CsQueue, "after_insert")
@event.listens_for(CsQueue, "after_update")
@event.listens_for(CsQueue, "after_delete")
def _queues_changed(mapper, connection, target):
    _queue_writes[0] += 1


def queue_by_code(code):
    if not code or "\x00" in code:  # no queue has one, and PostgreSQL refuses NUL in text
        return None
    return db.session.execute(db.select(CsQueue).filter_by(code=code, active=True)
                              ).scalar_one_or_none()


def rule_table():
    rows = db.session.execute(
        db.select(CsRule.pattern, CsQueue.code).join(CsQueue, CsRule.queue_id == CsQueue.id)
        .filter(CsRule.active.is_(True), CsQueue.active.is_(True))
        .order_by(CsRule.sort_order, CsRule.id)).all()
    return [routing.Rule(pattern, code) for pattern, code in rows]


def knowledge_entries():
    rows = db.session.execute(
        db.select(CsKnowledge, CsQueue.code).outerjoin(CsQueue, CsKnowledge.queue_id == CsQueue.id)
        .filter(CsKnowledge.active.is_(True))
        .order_by(CsKnowledge.sort_order, CsKnowledge.id)).all()
    return [knowledge.Entry(k.id, code, k.question, knowledge.keywords_of(k.keywords))
            for k, code in rows]


def knowledge_for(queue):
    """The entries the service centre lists for a queue (its own, then every queue's)."""
    return db.session.execute(
        db.select(CsKnowledge).filter(CsKnowledge.active.is_(True),
                                      db.or_(CsKnowledge.queue_id == queue.id,
                                             CsKnowledge.queue_id.is_(None)))
        .order_by(CsKnowledge.queue_id.is_(None), CsKnowledge.sort_order, CsKnowledge.id)
    ).scalars().all()


def business_hours():
    rows = db.session.execute(db.select(CsBusinessHours).filter_by(active=True)).scalars()
    return [(r.weekday, r.opens, r.closes) for r in rows]


def open_now(now=None):
    """Within business hours, holidays and 调休 of the national calendar included."""
    local = clock.wall_time(now or clock.utcnow())
    return cs_hours.is_open(local, business_hours(), national.national_status(local.date()))


def closed_for_holiday(now=None):
    """The holiday that closes customer service today (元旦 …), or None."""
    status = national.national_status(clock.wall_time(now or clock.utcnow()).date())
    return status.reason if status.holiday else None


def hours_text():
    """周一至周五 8:30—17:00（法定节假日除外）: the table as people say it."""
    return cs_hours.describe_with_holidays(business_hours())


def open_conversation_cached(openid, hint=None):
    """The open conversation, or None, asking the database only when Redis cannot say
    (open_index.py). ``hint``: what the push's Redis round trip already said."""
    if hint is None:
        hint = open_index.ask(openid)
    if hint is not None and hint.none_open:
        return None
    if hint is not None and hint.rebuild:
        open_index.rebuild()
    conversation = open_conversation(openid)
    if conversation is None and hint is not None:
        open_index.remember_none_open(openid)
    return conversation


def open_conversation(openid):
    return db.session.execute(
        db.select(CsConversation).filter(CsConversation.openid == openid,
                                         CsConversation.status != RESOLVED)).scalar_one_or_none()


def position(conversation):
    """1 for the first in its queue's line (the oldest waiting), 2 for the next …"""
    if conversation.status != WAITING:
        return 0
    ahead = db.session.execute(
        db.select(db.func.count(CsConversation.id)).filter(
            CsConversation.status == WAITING, CsConversation.queue_id == conversation.queue_id,
            db.or_(CsConversation.waiting_since < conversation.waiting_since,
                   db.and_(CsConversation.waiting_since == conversation.waiting_since,
                           CsConversation.id < conversation.id)))).scalar()
    return ahead + 1


# -- the conversation's life -------------------------------------------------------------

def add_message(conversation, kind, body, author=None, delivery=""):
    now = clock.utcnow()
    message = CsMessage(conversation=conversation, openid=conversation.openid, kind=kind,
                        body=body, author=author, delivery=delivery, created_at=now)
    db.session.add(message)
    conversation.last_activity_at = now
    if kind == IN:
        conversation.last_inbound_at = now
    return message


def get_or_open(openid):
    """The investor's open conversation, or a new one held by the bot."""
    now = clock.utcnow()
    conversation = open_conversation(openid)
    if conversation is not None and conversation.status == BOT and \
            conversation.last_activity_at < now - BOT_IDLE:
        conversation.status, conversation.resolved_at = RESOLVED, now
        db.session.flush()
        conversation = None
    if conversation is not None:
        return conversation
    open_index.will_open(openid)
    conversation = CsConversation(openid=openid, status=BOT, created_at=now, last_activity_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(conversation)
    except IntegrityError:  # another message of the same investor opened it just now
        conversation = open_conversation(openid)
    return conversation


def choose(openid, code):
    """The investor picks a market or business system in the service centre (CS-1)."""
    queue = queue_by_code(code)
    if queue is None:
        raise Refused("请选择列表中的市场或业务系统。")
    conversation = get_or_open(openid)
    if conversation.status == ASSIGNED:
        raise Refused(f"您正在与【{conversation.queue.name}】客服交流，请直接在聊天窗口留言；"
                      "如需咨询其他问题，请在本次咨询结束后再选择。")
    if conversation.queue_id != queue.id:
        before = conversation.queue.name if conversation.queue else None
        conversation.queue = queue
        if conversation.status == WAITING:
            # Moving to another line: the wait there starts now.
            conversation.waiting_since = clock.utcnow()
            add_message(conversation, EVENT, f"投资者改选【{queue.name}】（原【{before}】），重新排队")
            _request_assignment()
        else:
            add_message(conversation, EVENT, f"投资者选择【{queue.name}】")
    conversation.routed_by = "investor"
    conversation.pending_question = None
    conversation.last_activity_at = clock.utcnow()
    return conversation


def hand_off(conversation, reason="投资者要求转人工"):
    """To a person: the conversation waits in its queue. Returns what to tell the investor."""
    now = clock.utcnow()
    conversation.status = WAITING
    conversation.waiting_since = now
    conversation.pending_question = None
    add_message(conversation, EVENT, f"{reason}，进入【{conversation.queue.name}】队列")
    db.session.flush()
    _request_assignment()
    return waiting_text(conversation, first=True)


def waiting_text(conversation, first=False):
    ahead = position(conversation) - 1
    if not open_now():
        hours = f"（人工服务时间：{hours_text()}）" if business_hours() else ""
        holiday = closed_for_holiday()
        today = f"今天是{holiday}假期，" if holiday else ""
        return (f"{today}现在是非人工服务时间{hours}。您的问题已进入"
                f"【{conversation.queue.name}】队列，您前面还有{ahead}位，客服上班后将按顺序"
                f"回复您。投资者最后一条消息{WINDOW_HOURS}小时内客服才能回复，届时请留意本对话。")
    if first:
        return (f"正在为您转接【{conversation.queue.name}】人工客服，您前面还有{ahead}位，"
                "请稍候。您可以继续描述问题，客服接入后会一并看到。")
    return f"已收到，客服接入后会看到您的消息。您当前排在【{conversation.queue.name}】队列第{ahead + 1}位。"


def _request_assignment():
    from wechat_hall.jobs import submit
    submit("cs.assign", {}, queue="high")



def request_agent(openid):
    """转人工 from the service centre page (CS-2). Returns what to tell the investor."""
    conversation = get_or_open(openid)
    if conversation.status == ASSIGNED:
        return "客服正在为您服务，请在聊天窗口直接留言。"
    if conversation.status == WAITING:
        return waiting_text(conversation)
    if conversation.queue is None:
        raise Refused("请先选择要咨询的市场或业务系统。")
    return hand_off(conversation)


def earlier(openid, before_id=None, limit=20):
    query = db.select(CsConversation).filter(CsConversation.openid == openid)
    if before_id is not None:
        query = query.filter(CsConversation.id != before_id)
    return db.session.execute(query.order_by(CsConversation.id.desc()).limit(limit)
                              ).scalars().all()
