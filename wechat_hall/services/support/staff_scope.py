"""Which conversations a member of staff may see (issue 13 item 7), written once for the
console's every read and write.

Supervisors (the admin role) see every conversation. An agent sees a conversation that
is assigned to them, one they ended themselves, and any conversation of a queue they
serve (cs_agent_queue), whatever its status; nothing else — not a colleague's
conversation of another queue, not one with no queue. What they may *do* with a visible
conversation is agent_desk's and assignment's rule (reply: the assignee only; transfer
and resolve: the assignee or, while it waits, its queue's agents).

A conversation outside the scope is reported as not found, the same as one that does not
exist, so ids cannot be probed.
"""
from sqlalchemy import false, or_

from models import CsConversation, cs_agent_queue
from wechat_hall.extensions import db

from .assignment import Refused

NOT_FOUND = "会话不存在。"


class NotFound(Refused):
    """No such conversation for this member of staff (missing, or outside their scope)."""

    def __init__(self):
        super().__init__(NOT_FOUND)


def is_supervisor(staff):
    return "admin" in staff.role_set


def visible_clause(staff):
    """A filter on CsConversation: the conversations ``staff`` may see."""
    if is_supervisor(staff):
        return CsConversation.id.isnot(None)
    if staff.id is None:
        return false()
    my_queues = db.select(cs_agent_queue.c.queue_id).filter_by(staff_id=staff.id)
    return or_(CsConversation.assigned_to_id == staff.id,
               CsConversation.resolved_by_id == staff.id,
               CsConversation.queue_id.in_(my_queues))


def visible(staff, conversation_id):
    """The conversation if ``staff`` may see it; raises NotFound otherwise."""
    if not isinstance(conversation_id, int):
        raise NotFound()
    conversation = db.session.execute(
        db.select(CsConversation).filter(CsConversation.id == conversation_id,
                                         visible_clause(staff))).scalar_one_or_none()
    if conversation is None:
        raise NotFound()
    return conversation
