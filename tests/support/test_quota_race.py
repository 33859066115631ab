"""WeChat's 5-in-48 h customer-service quota under concurrency (CS-3, issue 13 item 9):
twenty replies at once to one investor — several agents' tabs, double clicks — and
exactly five are sent; the rest are refused before WeChat with the 45047 message.

On PostgreSQL these are concurrent transactions on separate connections (the
reservation is a transaction-scoped advisory lock per investor); on SQLite they queue
on the write lock."""
import threading

from models import CsMessage, StaffUser
from tests.support.test_console import desk, sent_to  # noqa: F401  (the fixture)
from wechat_hall.extensions import db
from wechat_hall.services.support import agent_desk
from wechat_hall.services.support.assignment import Refused

THREADS = 20


def test_twenty_replies_at_once_send_exactly_five(cs, desk):  # noqa: F811
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def attempt(i):
        with cs.app_context():
            staff = db.session.get(StaffUser, desk.agent)
            db.session.commit()  # its connection back to the pool while all wait
            barrier.wait(60)
            try:
                results[i] = agent_desk.reply(staff, desk.conv, f"第{i}条").delivery
            except Refused as exc:
                results[i] = str(exc)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert results.count("sent") == 5, results
    assert all("45047" in r for r in results if r != "sent")
    assert len(sent_to(cs, "o_investor")) == 5
    with cs.app_context():
        outs = db.session.execute(db.select(CsMessage.delivery)
                                  .filter_by(openid="o_investor", kind="out")).scalars().all()
        assert sorted(outs) == ["sent"] * 5  # nothing refused by WeChat, nothing in flight
