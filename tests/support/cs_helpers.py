"""Helpers of the customer-service tests: the demo CS data, agents, the clock."""
from datetime import time
from types import SimpleNamespace

from models import CsAgent, CsBusinessHours, CsConversation, CsMessage, CsQueue
from tests import seeding
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending

# Every weekday and the 法定节假日 line: open on any date the tests run.
ALL_DAY = [(day, time(0, 0), time(23, 59, 59)) for day in range(8)]


def seed_cs(app, hours="always"):
    """Queues, rules, knowledge base and canned replies as `flask demo seed` makes them;
    business hours ``always`` (every day, holidays too, all day: tests run at any hour of
    any date) or ``never``."""
    seeding.load(app, "support")
    with app.app_context():
        db.session.execute(db.delete(CsBusinessHours))
        if hours == "always":
            for day, opens, closes in ALL_DAY:
                db.session.add(CsBusinessHours(weekday=day, opens=opens, closes=closes))
        db.session.commit()


def make_agent(app, staff_id, queues=("ACCOUNT",), capacity=5, presence="online"):
    with app.app_context():
        rows = db.session.execute(db.select(CsQueue).filter(CsQueue.code.in_(queues))).scalars().all()
        agent = db.session.get(CsAgent, staff_id) or CsAgent(staff_id=staff_id)
        agent.queues, agent.capacity, agent.presence = rows, capacity, presence
        agent.last_heartbeat_at = utcnow() if presence != "offline" else None
        db.session.add(agent)
        db.session.commit()
        return staff_id


def conversation_of(app, openid):
    """The investor's latest conversation, as a plain snapshot (``queue.code`` …)."""
    with app.app_context():
        row = db.session.execute(db.select(CsConversation).filter_by(openid=openid)
                                 .order_by(CsConversation.id.desc()).limit(1)).scalar_one_or_none()
        if row is None:
            return None
        fields = {c.name: getattr(row, c.name) for c in CsConversation.__table__.columns}
        queue = SimpleNamespace(code=row.queue.code, name=row.queue.name) if row.queue else None
        return SimpleNamespace(**fields, queue=queue)


def messages_of(app, conversation_id):
    with app.app_context():
        return [(m.kind, m.body, m.delivery, m.errcode) for m in db.session.execute(
            db.select(CsMessage).filter_by(conversation_id=conversation_id)
            .order_by(CsMessage.id)).scalars()]


def settle(app):
    """Run the queued jobs (the assignment job after a hand-off)."""
    run_pending(app)
