"""The investor's side of online customer service (CS-1, CS-2, CS-4).

A text the investor types lands in their open conversation. While the bot holds it
(status ``bot``), the question is routed (routing.py), answered from the
knowledge base when it can be, and handed to a person (``waiting``) on 转人工 or when
the knowledge base has no answer. While it waits or an agent has it, every message is
simply added for the agent to read. The investor is told their place in the queue, and
outside business hours that agents answer later.
"""
import re
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from models import CsBusinessHours, CsConversation, CsKnowledge, CsMessage, CsQueue, CsRule
from models.support import ASSIGNED, BOT, BOT_REPLY, EVENT, IN, RATINGS, RESOLVED, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis

from . import hours as cs_hours
from . import knowledge, routing
from .window import WINDOW_HOURS

# A conversation the bot held this long without a word is over; the next question
# starts afresh (the investor's old choice of queue no longer holds).
BOT_IDLE = timedelta(hours=24)
# After resolve, a rating (1-3) is accepted this long.
RATING_OPEN = timedelta(hours=24)
MAX_INBOUND = 2000  # characters kept of one message (WeChat allows about this much)

HUMAN = re.compile(r"^\s*(转人工|人工|人工客服|人工服务|找人工|真人|转接人工|我要人工)\s*[。!！]?\s*$")
RATING = re.compile(r"^\s*([1-3１-３])\s*$")
CHOOSE_ON_PAGE = "也可以在在线客服页面选择"
HANDOFF_HINT = "如未解决您的问题，请回复“转人工”。"


class Refused(Exception):
    """A request the investor cannot make now; the message says why, in Chinese."""


# -- lookups ---------------------------------------------------------------------------

def active_queues():
    return db.session.execute(db.select(CsQueue).filter_by(active=True)
                              .order_by(CsQueue.sort_order, CsQueue.id)).scalars().all()


def has_queues():
    return db.session.execute(db.select(CsQueue.id).filter_by(active=True).limit(1)).first() is not None


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
    return cs_hours.is_open(clock.wall_time(now or clock.utcnow()), business_hours())


def hours_text():
    return cs_hours.describe(business_hours())


# takes_over() runs for every text in the chat; most senders have no open conversation.
# That answer is remembered in Redis for NO_OPEN_TTL seconds, and forgotten the moment a
# conversation is opened (the only place one is created, below).
NO_OPEN_TTL = 60


def _no_open_key(openid):
    return f"cs:noopen:{openid}"


def _forget_no_open(openid):
    try:
        get_redis().delete(_no_open_key(openid))
    except Exception:  # Redis down: the key expires by itself
        pass


def _open_conversation_cached(openid):
    redis = get_redis()
    try:
        if redis.exists(_no_open_key(openid)):
            return None
    except Exception:
        redis = None
    conversation = open_conversation(openid)
    if conversation is None and redis is not None:
        try:
            redis.set(_no_open_key(openid), 1, ex=NO_OPEN_TTL)
        except Exception:
            pass
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
    _forget_no_open(openid)
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
        return (f"现在是非人工服务时间{hours}。您的问题已进入"
                f"【{conversation.queue.name}】队列，您前面还有{ahead}位，客服上班后将按顺序"
                f"回复您。投资者最后一条消息{WINDOW_HOURS}小时内客服才能回复，届时请留意本对话。")
    if first:
        return (f"正在为您转接【{conversation.queue.name}】人工客服，您前面还有{ahead}位，"
                "请稍候。您可以继续描述问题，客服接入后会一并看到。")
    return f"已收到，客服接入后会看到您的消息。您当前排在【{conversation.queue.name}】队列第{ahead + 1}位。"


def _request_assignment():
    from wechat_hall.jobs import submit
    submit("cs.assign", {}, queue="high")


def _clarify_question(conversation, question):
    conversation.pending_question = question
    options = "\n".join(f"{i}. {q.name}" for i, q in enumerate(active_queues(), 1))
    text = ("您好，这里是中国结算营业厅在线客服。为了更快为您解答，请问您咨询的是哪个市场或业务？"
            "请回复序号：\n"
            f"{options}\n{CHOOSE_ON_PAGE}")
    add_message(conversation, BOT_REPLY, text)
    return text


def _answer_or_hand_off(conversation, question, prefix=""):
    entries = knowledge_entries()
    entry = knowledge.best_match(entries, question, queue=conversation.queue.code)
    if entry is None:
        return prefix + hand_off(conversation, "知识库无匹配答案，转人工")
    answer = db.session.get(CsKnowledge, entry.id)
    text = f"{prefix}【{answer.question}】\n{answer.answer}\n\n{HANDOFF_HINT}"
    add_message(conversation, BOT_REPLY, text)
    return text


def _rate_recent(openid, text):
    match = RATING.match(text or "")
    if not match:
        return None
    since = clock.utcnow() - RATING_OPEN
    conversation = db.session.execute(
        db.select(CsConversation).filter(
            CsConversation.openid == openid, CsConversation.status == RESOLVED,
            CsConversation.rating_asked_at >= since, CsConversation.rating.is_(None))
        .order_by(CsConversation.resolved_at.desc()).limit(1)).scalar_one_or_none()
    if conversation is None:
        return None
    value = int(match.group(1).translate(str.maketrans("１２３", "123")))
    conversation.rating, conversation.rated_at = value, clock.utcnow()
    add_message(conversation, IN, text.strip())
    add_message(conversation, EVENT, f"投资者评价：{RATINGS[value]}")
    return f"感谢您的评价（{RATINGS[value]}）！如有其他问题，欢迎随时咨询。"


def takes_over(openid, text):
    """Must customer service answer this text before the keyword replies? Yes when the
    investor is talking to (or waiting for) a person, owes us a choice or a rating, or
    asks for a person."""
    if HUMAN.match(text or ""):
        return True
    conversation = _open_conversation_cached(openid)
    if conversation is not None and (conversation.status in (WAITING, ASSIGNED)
                                     or conversation.pending_question is not None):
        return True
    if RATING.match(text or ""):
        return db.session.execute(
            db.select(CsConversation.id).filter(
                CsConversation.openid == openid, CsConversation.status == RESOLVED,
                CsConversation.rating_asked_at >= clock.utcnow() - RATING_OPEN,
                CsConversation.rating.is_(None)).limit(1)).first() is not None
    return False


def handle_text(openid, text):
    """The investor typed ``text`` in the chat. Returns the passive reply (or None when an
    agent has the conversation: they answer)."""
    text = (text or "").strip()[:MAX_INBOUND]
    current = open_conversation(openid)
    if current is None or (current.status == BOT and current.pending_question is None):
        thanks = _rate_recent(openid, text)
        if thanks:
            return thanks
    conversation = get_or_open(openid)
    add_message(conversation, IN, text)
    if conversation.status == WAITING:
        return waiting_text(conversation)
    if conversation.status == ASSIGNED:
        return None

    # The bot holds it.
    options = [(q.code, q.name) for q in active_queues()]
    if conversation.pending_question is not None:
        code = routing.parse_choice(text, options)
        if code:
            question = conversation.pending_question
            conversation.queue = queue_by_code(code)
            conversation.routed_by = "clarify"
            conversation.pending_question = None
            prefix = f"好的，已为您转到【{conversation.queue.name}】。"
            if HUMAN.match(question):
                return prefix + hand_off(conversation)
            return _answer_or_hand_off(conversation, question, prefix)
        if HUMAN.match(text) and HUMAN.match(conversation.pending_question):
            return _clarify_question(conversation, text)
        conversation.pending_question = None  # not an answer: a new question

    if HUMAN.match(text):
        if conversation.queue is None:
            return _clarify_question(conversation, text)
        return hand_off(conversation)

    held = conversation.routed_by in ("investor", "clarify") and conversation.queue is not None
    route = routing.route(text, rule_table(), choice=conversation.queue.code if held else None,
                             known_queues={code for code, _ in options})
    if route.queue is not None:
        if conversation.queue is None or conversation.queue.code != route.queue:
            conversation.queue = queue_by_code(route.queue)
            conversation.routed_by = route.reason
        return _answer_or_hand_off(conversation, text)
    if conversation.queue is not None:  # earlier routed by a rule; no new hint: stay
        return _answer_or_hand_off(conversation, text)
    # Nobody can tell the queue: the knowledge base may still know the answer.
    entry = knowledge.best_match(knowledge_entries(), text)
    if entry is not None and entry.queue is not None:
        conversation.queue = queue_by_code(entry.queue)
        conversation.routed_by = "knowledge"
        return _answer_or_hand_off(conversation, text)
    return _clarify_question(conversation, text)


def media_in_conversation(openid, kind):
    """An image, voice … while a person has (or will have) the conversation: the agent
    sees that one came. Returns the reply, or None when no person is involved."""
    conversation = open_conversation(openid)
    if conversation is None or conversation.status not in (WAITING, ASSIGNED):
        return None
    label = MEDIA.get(kind, "其他")
    add_message(conversation, IN, f"[{label}消息，客服工作台暂不能查看]")
    return f"客服暂时无法查看{label}消息，请用文字描述您的问题。"


MEDIA = {"image": "图片", "voice": "语音", "video": "视频", "shortvideo": "小视频",
         "location": "位置", "link": "链接"}


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
