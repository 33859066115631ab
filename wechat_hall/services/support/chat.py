"""A text in the WeChat chat, as customer service sees it (CS-1, CS-2, CS-4).

:func:`takes_over` tells the keyword replies whether customer service answers first;
:func:`handle_text` answers: while the bot holds the conversation the question is routed
(routing.py), answered from the knowledge base when it can be, or handed to a person
(conversations.py) on 转人工 or when nothing matches; the investor may owe a choice of
queue or a rating (1-3) after a resolved conversation.
"""
import re
from datetime import timedelta

from models import CsConversation, CsKnowledge
from models.support import ASSIGNED, BOT, BOT_REPLY, EVENT, IN, RATINGS, RESOLVED, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db

from . import knowledge, routing
from .conversations import (
    active_queues,
    add_message,
    get_or_open,
    hand_off,
    knowledge_entries,
    open_conversation,
    open_conversation_cached,
    queue_by_code,
    rule_table,
    waiting_text,
)

# After resolve, a rating (1-3) is accepted this long.
RATING_OPEN = timedelta(hours=24)
MAX_INBOUND = 2000  # characters kept of one message (WeChat allows about this much)

HUMAN = re.compile(r"^\s*(转人工|人工|人工客服|人工服务|找人工|真人|转接人工|我要人工)\s*[。!！]?\s*$")
RATING = re.compile(r"^\s*([1-3１-３])\s*$")
CHOOSE_ON_PAGE = "也可以在在线客服页面选择"
HANDOFF_HINT = "如未解决您的问题，请回复“转人工”。"


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


def takes_over(openid, text, hint=None):
    """Must customer service answer this text before the keyword replies? Yes when the
    investor is talking to (or waiting for) a person, owes us a choice or a rating, or
    asks for a person. ``hint``: what the push's Redis round trip said
    (open_index.probe)."""
    if HUMAN.match(text or ""):
        return True
    conversation = open_conversation_cached(openid, hint)
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

