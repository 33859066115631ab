"""What an agent does with a conversation (CS-3): reply, note, transfer, resolve.

A reply is a WeChat customer-service message. It is refused before anything is sent
when it is empty or too long, when the conversation is not the agent's, or when the
window (cs_window) says WeChat would refuse; otherwise the message is recorded as
``sending``, committed, sent, and marked ``sent`` or ``refused`` with WeChat's code
(45015, 45047 …), which the console shows.
"""
import logging
import re
from datetime import timedelta

from models import CsCannedReply, CsConversation, CsMessage, CsQueue, cs_agent_queue
from models.support import ASSIGNED, EVENT, IN, NOTE, OUT, RESOLVED, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_phone
from wechat_hall.services.wechat import api

from . import assignment, conversations, staff_scope
from . import window as cs_window
from .assignment import Refused

log = logging.getLogger(__name__)

MAX_REPLY = 600   # characters; WeChat's text limit is 2048 bytes (≈ 680 Chinese characters)
MAX_NOTE = 1000
SURVEY = ("本次咨询已结束，感谢您的耐心。请对本次服务进行评价，回复数字：\n"
          "1 非常满意\n2 满意\n3 不满意")
_CANNED = re.compile(r"^::(\S+)$")
# Long digit runs in what investors type are ID, phone or account numbers: masked on
# the staff screens (the stored text is unchanged).
_DIGITS = re.compile(r"(?<![\dA-Za-z])(\d{6,}[\dXx]?)(?![\dA-Za-z])")


def mask_text(text):
    def hide(match):
        value = match.group(1)
        if len(value) == 11 and value.startswith("1"):
            return mask_phone(value)
        return mask_id_number(value) if len(value) >= 8 else value
    return _DIGITS.sub(hide, text or "")


def conversation_for(staff, conversation_id):
    """The conversation, if ``staff`` may see it (staff_scope); NotFound otherwise."""
    return staff_scope.visible(staff, conversation_id)


def claim(staff, conversation_id):
    """Take a waiting conversation by hand: only one the agent may see (its queue)."""
    conversation_for(staff, conversation_id)
    assignment.claim(staff, conversation_id)


def _mine(staff, conversation_id):
    conversation = conversation_for(staff, conversation_id)
    if conversation.status != ASSIGNED or conversation.assigned_to_id != staff.id:
        raise Refused("该会话未分配给您，不能回复或操作。")
    return conversation


def canned_replies():
    return db.session.execute(db.select(CsCannedReply).filter_by(active=True)
                              .order_by(CsCannedReply.shortcut)).scalars().all()


def expand(text):
    """``::shortcut`` alone is replaced by that canned reply (typed without the page's
    helper, too). Unknown shortcut: refused, nothing sent."""
    match = _CANNED.match((text or "").strip())
    if not match:
        return text
    canned = db.session.execute(db.select(CsCannedReply).filter_by(
        shortcut=match.group(1), active=True)).scalar_one_or_none()
    if canned is None:
        raise Refused(f"没有快捷短语“{match.group(1)}”。")
    return canned.body


def reply(staff, conversation_id, text):
    """Send ``text`` to the investor. Returns the message (check ``delivery``)."""
    text = expand((text or "").strip())
    text = text.strip()
    if not text:
        raise Refused("回复内容不能为空。")
    if len(text) > MAX_REPLY:
        raise Refused(f"回复内容过长（{len(text)}字），请控制在{MAX_REPLY}字以内，或分条发送。")
    conversation = _mine(staff, conversation_id)
    window = cs_window.reserve(conversation.openid)  # held until the commit below
    if not window.can_send:
        db.session.rollback()
        raise Refused("未发送：" + window.describe())
    message = conversations.add_message(conversation, OUT, text, author=staff, delivery="sending")
    db.session.commit()
    return deliver(message)


def deliver(message):
    """Send a recorded ``sending`` message through WeChat and record the outcome."""
    try:
        api.send_text(message.openid, message.body)
    except api.WeChatRefused as exc:
        db.session.rollback()
        message = db.session.get(CsMessage, message.id)
        message.delivery = "refused" if exc.errcode != -1 else "failed"
        message.errcode = exc.errcode
        message.error_text = exc.text[:255]
        log.info("customer-service message %s refused: %s", message.id, exc.errcode)
    else:
        message = db.session.get(CsMessage, message.id)
        message.delivery = "sent"
    db.session.commit()
    return message


def note(staff, conversation_id, text):
    text = (text or "").strip()
    if not text:
        raise Refused("备注内容不能为空。")
    if len(text) > MAX_NOTE:
        raise Refused(f"备注过长，请控制在{MAX_NOTE}字以内。")
    conversation = conversation_for(staff, conversation_id)
    if conversation.status == RESOLVED and conversation.assigned_to_id != staff.id:
        raise Refused("会话已结束。")
    message = conversations.add_message(conversation, NOTE, text, author=staff)
    db.session.commit()
    return message


def _may_handle(staff, conversation, verb):
    """Transfer and resolve: the assignee; for a waiting conversation, agents of its
    queue; admins (supervisors) always."""
    if "admin" in staff.role_set:
        return
    if conversation.status == ASSIGNED and conversation.assigned_to_id != staff.id:
        raise Refused(f"该会话未分配给您，不能{verb}。")
    if conversation.status == WAITING and not assignment.serves(staff, conversation.queue_id):
        raise Refused(f"您不在该会话所在的队列中，不能{verb}。")


def transfer(staff, conversation_id, queue_code):
    """To another queue: the conversation waits there for the next free agent."""
    queue = conversations.queue_by_code((queue_code or "").strip())
    if queue is None:
        raise Refused("请选择一个存在且启用的队列。")
    conversation = conversation_for(staff, conversation_id)
    if conversation.status not in (WAITING, ASSIGNED):
        raise Refused("只能转接排队中或接待中的会话。")
    _may_handle(staff, conversation, "转接")
    if conversation.queue_id == queue.id:
        raise Refused(f"会话已在【{queue.name}】队列。")
    before = conversation.queue.name if conversation.queue else "未分类"
    conversation.queue = queue
    conversation.status = WAITING
    conversation.assigned_to_id = None
    conversation.assigned_at = None
    conversation.routed_by = "transfer"
    conversation.waiting_since = clock.utcnow()
    conversations.add_message(conversation, EVENT, f"{_name(staff)} 从【{before}】转至【{queue.name}】")
    conversations._request_assignment()
    db.session.commit()
    return conversation


def resolve(staff, conversation_id):
    """End the conversation; ask for a rating only while WeChat's window allows one more
    message. Returns (conversation, what happened to the survey)."""
    conversation = conversation_for(staff, conversation_id)
    if conversation.status == RESOLVED:
        raise Refused("会话已结束。")
    _may_handle(staff, conversation, "结束")
    window = cs_window.reserve(conversation.openid)  # the survey's place, until the commit
    now = clock.utcnow()
    conversation.status = RESOLVED
    conversation.resolved_at = now
    conversation.resolved_by_id = staff.id
    conversations.add_message(conversation, EVENT, f"{_name(staff)} 结束会话")
    if not window.can_send:
        conversations.add_message(conversation, EVENT, "未发送满意度调查：" + window.describe())
        db.session.commit()
        assignment.assign_waiting()  # the seat this freed
        conversation = db.session.get(CsConversation, conversation_id)
        return conversation, "未发送满意度调查（回复窗口已关闭或条数已用完）。"
    conversation.rating_asked_at = now
    message = conversations.add_message(conversation, OUT, SURVEY, delivery="sending")
    db.session.commit()
    message = deliver(message)
    assignment.assign_waiting()  # the seat this freed
    if message.delivery != "sent":
        conversation = db.session.get(CsConversation, conversation_id)
        conversation.rating_asked_at = None
        db.session.commit()
        return conversation, f"满意度调查未送达：{message.error_text}"
    return db.session.get(CsConversation, conversation_id), "已向投资者发送满意度调查。"


def _name(staff):
    return staff.display_name or staff.username


# -- what the console shows -----------------------------------------------------------------

LIST_COLUMNS = (CsConversation.id, CsConversation.openid, CsConversation.status,
                CsConversation.waiting_since, CsQueue.name.label("queue"))


def console_rows(staff, limit=200):
    """The console's two lists as plain rows (one query each, no objects): the agent's
    conversations, most recently active first, and the oldest ``limit`` waiting ones
    in the agent's queues."""
    mine = db.session.execute(
        db.select(*LIST_COLUMNS).outerjoin(CsQueue, CsConversation.queue_id == CsQueue.id)
        .filter(CsConversation.status == ASSIGNED, CsConversation.assigned_to_id == staff.id)
        .order_by(CsConversation.last_activity_at.desc())).all()
    mine_queues = db.select(cs_agent_queue.c.queue_id).filter_by(staff_id=staff.id)
    waiting = db.session.execute(
        db.select(*LIST_COLUMNS).join(CsQueue, CsConversation.queue_id == CsQueue.id)
        .filter(CsConversation.status == WAITING, CsConversation.queue_id.in_(mine_queues))
        .order_by(CsConversation.waiting_since, CsConversation.id).limit(limit)).all()
    return mine, waiting


def last_inbound_text(conversation_ids):
    """The latest investor message of each conversation, masked (for the lists)."""
    if not conversation_ids:
        return {}
    latest = (db.select(db.func.max(CsMessage.id))
              .filter(CsMessage.conversation_id.in_(conversation_ids), CsMessage.kind == IN)
              .group_by(CsMessage.conversation_id))
    rows = db.session.execute(db.select(CsMessage.conversation_id, CsMessage.body)
                              .filter(CsMessage.id.in_(latest))).all()
    return {cid: mask_text(body)[:40] for cid, body in rows}


def messages(conversation, after_id=0):
    return db.session.execute(
        db.select(CsMessage).filter(CsMessage.conversation_id == conversation.id,
                                    CsMessage.id > after_id).order_by(CsMessage.id)
    ).scalars().all()


def message_dict(message):
    return {"id": message.id, "kind": message.kind, "body": mask_text(message.body)
            if message.kind == IN else message.body,
            "author": _name(message.author) if message.author else "",
            "at": message.created_at.isoformat(timespec="seconds") + "Z",
            "delivery": message.delivery, "errcode": message.errcode,
            "error": message.error_text or ""}


def supervisor_overview(now=None):
    """Queues (waiting, longest wait, agents online) and agents (presence, load)."""
    from models import CsAgent
    now = now or clock.utcnow()
    queues = []
    for queue in db.session.execute(db.select(CsQueue).order_by(CsQueue.sort_order)).scalars():
        waiting, oldest = db.session.execute(
            db.select(db.func.count(CsConversation.id), db.func.min(CsConversation.waiting_since))
            .filter(CsConversation.status == WAITING, CsConversation.queue_id == queue.id)).one()
        assigned = db.session.execute(
            db.select(db.func.count(CsConversation.id))
            .filter(CsConversation.status == ASSIGNED, CsConversation.queue_id == queue.id)).scalar()
        queues.append(dict(queue=queue, waiting=waiting, assigned=assigned,
                           longest=(now - oldest) if oldest else timedelta(0)))
    agents = []
    for agent in db.session.execute(db.select(CsAgent)).scalars():
        agents.append(dict(agent=agent, name=_name(agent.staff),
                           presence=assignment.shown_presence(agent, now),
                           load=assignment.load(agent.staff_id),
                           queues="、".join(q.name for q in agent.queues)))
    return queues, agents
