"""Who answers which conversation (CS-3): presence, automatic assignment and claims.

Policy (after Chatwoot and 春松客服): the oldest waiting conversation first; among the
agents who serve its queue, are online (presence 在线 and a heartbeat within
``HEARTBEAT_TTL``) and below their capacity, the least loaded one; on a tie, the one
who got a conversation longest ago (round robin). 忙碌 agents get nothing new
automatically but may still claim.

No conversation is assigned twice and no agent goes over capacity, whatever runs at
once (several web processes, RQ workers, the scheduler):

- the conversation moves ``waiting → assigned`` by a conditional UPDATE (``WHERE status
  = 'waiting'``): of two assigners only one changes the row;
- before counting an agent's load we lock the agent's row, so two assigners cannot both
  see "one seat left".
- order: a single assigner takes conversations strictly oldest first; assigners running
  at once each skip the conversation another one holds, so under contention the order
  is oldest first only approximately (a conversation may be overtaken by one a moment
  younger). That is the price of never waiting on each other. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` (an agent
  being assigned to elsewhere is skipped this round, never waited for, so two assigners
  cannot deadlock); waiting conversations are taken the same way. SQLite has no row
  locks: an UPDATE of the agent row takes the database's single write lock instead,
  which serialises the count and the assignment just the same.
"""
from datetime import timedelta

from sqlalchemy import update

from models import CsAgent, CsConversation, StaffUser, cs_agent_queue
from models.support import ASSIGNED, EVENT, PRESENCE, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import job, periodic

HEARTBEAT_TTL = timedelta(seconds=60)
# An agent whose console has sent no heartbeat this long (browser closed, network gone)
# gives their conversations back to the queue, at the front (they keep their old
# waiting time): investors are not left with nobody answering.
REQUEUE_AFTER = timedelta(minutes=5)
MAX_PER_RUN = 500


class Refused(Exception):
    """An agent action that cannot be done; the message says why, in Chinese."""


def _postgres():
    return db.session.get_bind().dialect.name == "postgresql"


def profile(staff):
    """The agent's customer-service row (made on first use)."""
    agent = db.session.get(CsAgent, staff.id)
    if agent is None:
        agent = CsAgent(staff_id=staff.id, presence="offline", capacity=5)
        db.session.add(agent)
        db.session.flush()
    return agent


def shown_presence(agent, now=None):
    """What a supervisor sees: 在线 / 忙碌 / 离线, and 离线 when the heartbeat stopped."""
    now = now or clock.utcnow()
    if agent.presence != "offline" and (agent.last_heartbeat_at is None or
                                        agent.last_heartbeat_at < now - HEARTBEAT_TTL):
        return "离线（心跳中断）"
    return PRESENCE.get(agent.presence, agent.presence)


def set_presence(staff, presence):
    if presence not in PRESENCE:
        raise Refused("未知的在线状态。")
    agent = profile(staff)
    agent.presence = presence
    agent.last_heartbeat_at = clock.utcnow() if presence != "offline" else agent.last_heartbeat_at
    return agent


def signed_out(staff):
    """Logging out sets an agent offline (nothing for other staff)."""
    if getattr(staff, "is_authenticated", False):
        agent = db.session.get(CsAgent, staff.id)
        if agent is not None and agent.presence != "offline":
            agent.presence = "offline"
            db.session.commit()


def heartbeat(staff):
    agent = profile(staff)
    agent.last_heartbeat_at = clock.utcnow()
    return agent


def load(staff_id):
    return db.session.execute(
        db.select(db.func.count(CsConversation.id)).filter(
            CsConversation.assigned_to_id == staff_id,
            CsConversation.status == ASSIGNED)).scalar()


def _lock_agent(staff_id, wait):
    """Lock the agent's row for this transaction. False: someone else holds it."""
    if _postgres():
        query = db.select(CsAgent.staff_id).filter_by(staff_id=staff_id)
        query = query.with_for_update() if wait else query.with_for_update(skip_locked=True)
        return db.session.execute(query).first() is not None
    return db.session.execute(
        update(CsAgent).where(CsAgent.staff_id == staff_id)
        .values(lock_version=CsAgent.lock_version + 1)).rowcount == 1


def _take(conversation_id, staff_id, now):
    return db.session.execute(
        update(CsConversation)
        .where(CsConversation.id == conversation_id, CsConversation.status == WAITING)
        .values(status=ASSIGNED, assigned_to_id=staff_id, assigned_at=now,
                last_activity_at=now)).rowcount == 1


def _record(conversation_id, text, now):
    from models import CsMessage
    openid = db.session.execute(db.select(CsConversation.openid)
                                .filter_by(id=conversation_id)).scalar()
    db.session.add(CsMessage(conversation_id=conversation_id, openid=openid, kind=EVENT,
                             body=text, created_at=now))


def _candidates(queue_id, now):
    """Online agents serving ``queue_id``, least loaded first, then longest since their
    last assignment (round robin)."""
    load_q = (db.select(db.func.count(CsConversation.id))
              .where(CsConversation.assigned_to_id == CsAgent.staff_id,
                     CsConversation.status == ASSIGNED).correlate(CsAgent).scalar_subquery())
    rows = db.session.execute(
        db.select(CsAgent.staff_id, CsAgent.capacity, load_q.label("load"))
        .join(cs_agent_queue, cs_agent_queue.c.staff_id == CsAgent.staff_id)
        .join(StaffUser, StaffUser.id == CsAgent.staff_id)
        .filter(cs_agent_queue.c.queue_id == queue_id, CsAgent.presence == "online",
                CsAgent.last_heartbeat_at >= now - HEARTBEAT_TTL,
                StaffUser.active.is_(True))
        .order_by(load_q, CsAgent.last_assigned_at.is_not(None), CsAgent.last_assigned_at,
                  CsAgent.staff_id)).all()
    return [(staff_id, capacity) for staff_id, capacity, current in rows if current < capacity]


def _next_waiting(blocked):
    query = (db.select(CsConversation.id, CsConversation.queue_id)
             .filter(CsConversation.status == WAITING, CsConversation.queue_id.is_not(None))
             .order_by(CsConversation.waiting_since, CsConversation.id).limit(1))
    if blocked:
        query = query.filter(CsConversation.queue_id.not_in(blocked))
    if _postgres():
        query = query.with_for_update(of=CsConversation, skip_locked=True)
    return db.session.execute(query).first()


def _assign_one(blocked):
    """Assign the oldest waiting conversation that someone can take. Returns the staff id,
    None when nothing is left to do; adds the queue to ``blocked`` when nobody can."""
    now = clock.utcnow()
    row = _next_waiting(blocked)
    if row is None:
        db.session.rollback()
        return None
    conversation_id, queue_id = row
    contended = False
    for staff_id, capacity in _candidates(queue_id, now):
        if not _lock_agent(staff_id, wait=False):
            contended = True  # another assigner is giving this agent a conversation
            continue
        if load(staff_id) >= capacity:  # counted after the lock: exact
            continue
        if not _take(conversation_id, staff_id, now):
            db.session.rollback()  # someone else took it: look again
            return "raced"
        db.session.execute(update(CsAgent).where(CsAgent.staff_id == staff_id)
                           .values(last_assigned_at=now))
        name = db.session.execute(db.select(StaffUser.display_name, StaffUser.username)
                                  .filter_by(id=staff_id)).first()
        _record(conversation_id, f"自动分配给 {name[0] or name[1]}", now)
        db.session.commit()
        return staff_id
    db.session.rollback()
    if contended:
        return "raced"  # a seat may be left once the other assigner is done: look again
    blocked.add(queue_id)
    return "blocked"


def assign_waiting(limit=MAX_PER_RUN):
    """Assign as many waiting conversations as agents can take. Returns how many."""
    blocked, assigned = set(), 0
    for _ in range(limit):
        result = _assign_one(blocked)
        if result is None:
            break
        if result not in ("raced", "blocked"):
            assigned += 1
    return assigned


def claim(staff, conversation_id):
    """An agent takes a waiting conversation by hand (within their capacity)."""
    now = clock.utcnow()
    agent = profile(staff)
    capacity = agent.capacity
    db.session.commit()
    conversation = db.session.get(CsConversation, conversation_id)
    if conversation is None:
        raise Refused("会话不存在。")
    if conversation.status != WAITING:
        raise Refused("该会话已被其他客服接入或已结束。")
    if not serves(staff, conversation.queue_id):
        raise Refused("您不在该会话所在的队列中，不能认领。")
    _lock_agent(staff.id, wait=True)
    if load(staff.id) >= capacity:
        db.session.rollback()
        raise Refused(f"您接待中的会话已达上限（{capacity}个），请先结束部分会话。")
    if not _take(conversation_id, staff.id, now):
        db.session.rollback()
        raise Refused("该会话刚被其他客服接入。")
    db.session.execute(update(CsAgent).where(CsAgent.staff_id == staff.id)
                       .values(last_assigned_at=now))
    _record(conversation_id, f"{staff.display_name or staff.username} 认领", now)
    db.session.commit()


def serves(staff, queue_id):
    """Does the agent serve this queue? Admins (supervisors) serve every queue."""
    if "admin" in staff.role_set:
        return True
    return db.session.execute(
        db.select(cs_agent_queue.c.queue_id).filter_by(staff_id=staff.id, queue_id=queue_id)
    ).first() is not None


def requeue_abandoned(now=None):
    """Conversations of agents gone silent for ``REQUEUE_AFTER`` wait again. Returns how
    many. The conditional UPDATE (still assigned to that agent) makes a concurrent claim,
    transfer or resolve win over this."""
    now = now or clock.utcnow()
    gone = db.select(CsAgent.staff_id).filter(
        db.or_(CsAgent.last_heartbeat_at.is_(None),
               CsAgent.last_heartbeat_at < now - REQUEUE_AFTER))
    rows = db.session.execute(
        db.select(CsConversation.id, CsConversation.assigned_to_id)
        .filter(CsConversation.status == ASSIGNED, CsConversation.assigned_to_id.in_(gone))
    ).all()
    moved = 0
    for conversation_id, staff_id in rows:
        done = db.session.execute(
            update(CsConversation)
            .where(CsConversation.id == conversation_id, CsConversation.status == ASSIGNED,
                   CsConversation.assigned_to_id == staff_id)
            .values(status=WAITING, assigned_to_id=None, assigned_at=None,
                    last_activity_at=now)).rowcount
        if done:
            _record(conversation_id,
                    f"坐席已离线超过{REQUEUE_AFTER.seconds // 60}分钟，会话重新排队", now)
            moved += 1
    db.session.commit()
    return moved


@job("cs.assign")
def assign_job(payload, job_id=None):
    """Run after a conversation starts waiting (outbox: after its commit)."""
    assign_waiting()


@periodic("cs.assign", seconds=10)
def assign_periodically():
    """Catches what the event-driven runs missed (an agent coming online, a seat freed),
    after giving back the conversations of agents who went away."""
    requeue_abandoned()
    return assign_waiting()
