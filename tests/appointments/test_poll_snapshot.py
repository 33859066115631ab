"""The progress poll's copy of an office's line in Redis (issue 15,
services/appointments/poll_snapshot.py): answered without the database, never staler than
its lifetime, forgotten by the commits that change a ticket, and the database behind it
for whatever it does not hold."""
import redis
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models import Ticket
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services.appointments import poll_snapshot

from tests.appointments.queue_helpers import Counter, Kiosk, counter_ids, office_id


def _poll(app, code, who="203.0.113.7"):
    resp = app.test_client().get(f"/h5/queue/status.json?office=SH&code={code}",
                                 environ_overrides={"REMOTE_ADDR": who})
    return resp.status_code, resp.get_json()


def _line_key(app):
    with app.app_context():
        return poll_snapshot.key(office_id(app), clock.today())


def _stored(app):
    with app.app_context():
        return get_redis().hgetall(_line_key(app))


class _Statements:
    """Every statement any engine of this process runs (the poll reads on an engine of
    its own, services/db_reads.py)."""

    def __enter__(self):
        self.seen = []
        event.listen(Engine, "before_cursor_execute", self._record)
        return self.seen

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement.split()[0])

    def __exit__(self, *exc):
        event.remove(Engine, "before_cursor_execute", self._record)


def test_once_the_line_is_read_a_poll_runs_no_sql(hall_app):
    kiosk = Kiosk(hall_app)
    codes = [kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(3)]
    assert _poll(hall_app, codes[0])[1]["ahead"] == 0  # reads the line
    with _Statements() as seen:
        answers = [_poll(hall_app, c) for c in codes]
    assert seen == []
    assert [(s, a["label"], a["ahead"], a["status"]) for s, a in answers] == [
        (200, "E001", 0, "等待中"), (200, "E002", 1, "等待中"), (200, "E003", 2, "等待中")]
    assert set(_stored(hall_app)) == {b"#", *(c.encode() for c in codes)}
    with hall_app.app_context():
        lifetime = get_redis().pttl(_line_key(hall_app))
    assert 0 < lifetime <= 1000  # QUEUE_POLL_SNAPSHOT_SECONDS


def test_a_call_at_the_counter_shows_on_the_next_poll(hall_app):
    kiosk = Kiosk(hall_app)
    first, second = (kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(2))
    assert _poll(hall_app, second)[1]["ahead"] == 1
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    desk.act("next")
    assert _stored(hall_app) == {}  # the commit forgot the line (every process reads Redis)
    assert _poll(hall_app, first)[1]["status"] == "已叫号"
    assert _poll(hall_app, second)[1]["ahead"] == 0
    desk.act("finish")
    assert _poll(hall_app, first)[1]["status"] == "已办结"


def test_a_ticket_written_through_the_orm_forgets_the_line(hall_app):
    """An appointment's ticket (priority 0) goes ahead of the walk-ins already waiting."""
    kiosk = Kiosk(hall_app)
    walk_in = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    assert _poll(hall_app, walk_in)[1]["ahead"] == 0
    with hall_app.app_context():
        mine = db.session.execute(db.select(Ticket).filter_by(query_code=walk_in)).scalar_one()
        db.session.add(Ticket(office_id=mine.office_id, business_type_id=mine.business_type_id,
                              day=mine.day, number=99, label="E099", query_code="5550000001",
                              priority=0, status="waiting"))
        db.session.commit()
    assert _stored(hall_app) == {}
    assert _poll(hall_app, walk_in)[1]["ahead"] == 1
    assert _poll(hall_app, "5550000001")[1]["label"] == "E099"


def test_a_code_the_line_does_not_hold_is_asked_of_the_database(hall_app):
    kiosk = Kiosk(hall_app)
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    assert _poll(hall_app, code)[0] == 200  # the estimate's inputs are cached from here
    with hall_app.app_context():  # a line read before this ticket was issued
        get_redis().delete(_line_key(hall_app))
        get_redis().hset(_line_key(hall_app), "#", "1")
    with _Statements() as seen:
        status, answer = _poll(hall_app, code)
    assert status == 200 and answer["label"] == "E001" and len(seen) == 1
    status, answer = _poll(hall_app, "1234567890")
    assert status == 404 and "未找到该排队码" in answer["error"]


def test_a_blocked_client_is_refused_though_the_line_holds_its_code(make_app):
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    app = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_LOOKUP_MAX_FAILURES=2)
    seed_halls(app)
    kiosk = Kiosk(app)
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    assert _poll(app, code)[0] == 200
    for wrong in ("1111111111", "2222222222"):
        assert _poll(app, wrong)[0] == 404
    status, answer = _poll(app, code)
    assert status == 404 and "查询错误次数过多" in answer["error"]
    assert _poll(app, code, who="198.51.100.9")[0] == 200  # another client


def test_with_redis_gone_the_database_answers(hall_app):
    kiosk = Kiosk(hall_app)
    first, second = (kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(2))
    kept = hall_app.extensions["redis"]
    hall_app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1,
                                               socket_connect_timeout=0.2)
    try:
        assert _poll(hall_app, second) == (200, {"label": "E002", "business": "证券查询",
                                                 "status": "等待中", "ahead": 1,
                                                 "minutes": 5})
        assert _poll(hall_app, "1234567890")[0] == 404
    finally:
        hall_app.extensions["redis"] = kept


def test_switched_off_the_database_answers_every_poll(make_app):
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    app = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_POLL_SNAPSHOT_SECONDS=0)
    seed_halls(app)
    kiosk = Kiosk(app)
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    assert _poll(app, code)[1]["label"] == "E001"
    assert _stored(app) == {}


def test_another_process_sees_the_call_on_its_next_poll(make_app):
    """Two apps on one database and one Redis, as two gunicorn workers: the one that
    polls keeps nothing of its own that the other's call could leave stale."""
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    # A lifetime far longer than the test: only the delete can make the answer fresh.
    polling = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_POLL_SNAPSHOT_SECONDS=600)
    seed_halls(polling)
    calling = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_POLL_SNAPSHOT_SECONDS=600)
    kiosk = Kiosk(calling)
    first, second = (kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(2))
    assert [_poll(polling, c)[1]["ahead"] for c in (first, second)] == [0, 1]
    Counter(calling, counter_ids(calling)[0]).act("next")
    assert _poll(polling, first)[1]["status"] == "已叫号"
    assert _poll(polling, second)[1]["ahead"] == 0
