"""柜台叫号 (APT-8): call next, recall, skip, finish; appointments first; two counters
never call the same ticket; the public display."""
import threading

from models import HallCounter, StaffUser, Ticket
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.appointments import counters, hall_queue

from tests.appointments.apt_helpers import Person, appointments, csrf_from
from tests.appointments.queue_helpers import Counter, Kiosk, counter_ids, office_id


def _day(app):
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 40)


def test_checked_in_appointments_are_called_before_earlier_walk_ins(hall_app):
    person = Person(hall_app, "o_counter_person_1")
    assert person.book(business="QUERY").status_code == 302
    code = appointments(hall_app)[0].code
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    walk1 = kiosk.ticket(kiosk.walk_in("QUERY"))[0]
    walk2 = kiosk.ticket(kiosk.walk_in("QUERY"))[0]
    booked = kiosk.ticket(kiosk.scan(code))[0]
    assert (walk1, walk2, booked) == ("E001", "E002", "E003")
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    page = desk.act("next")
    assert "请 E003 号到 1号窗口 办理" in page and desk.current() == "E003"
    assert "预约" in page and "*三" in page  # the appointment, the name masked
    desk.act("finish")
    desk.act("next")
    assert desk.current() == "E001"


def test_call_recall_skip_finish(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    for _ in range(3):
        kiosk.walk_in("PLEDGE")
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    assert "当前空闲" in desk.page()
    desk.act("next")
    assert desk.current() == "A001"
    assert "请先办结或过号当前号码 A001" in desk.act("next")
    assert "已重呼 A001" in desk.act("recall")
    assert "已呼叫2次" in desk.page()
    assert "A001 已过号" in desk.act("skip")
    desk.act("next")
    assert "A002 已办结" in desk.act("finish")
    with hall_app.app_context():
        statuses = dict(db.session.execute(db.select(Ticket.label, Ticket.status)).all())
    assert statuses == {"A001": "no_show", "A002": "done", "A003": "waiting"}
    assert "当前没有正在呼叫的号码" in desk.act("recall")


def test_a_counter_calls_only_its_business_types_and_the_one_asked_for(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    kiosk.walk_in("QUERY")
    kiosk.walk_in("PLEDGE")
    pledges_only = Counter(hall_app, counter_ids(hall_app)[2])  # 3号窗口: 质押, 解押
    pledges_only.act("next")
    assert pledges_only.current() == "A001"
    pledges_only.act("finish")
    assert "当前没有等待的号码" in pledges_only.act("next")
    from tests.appointments.apt_helpers import ids
    _, query_type, _ = ids(hall_app, "SH", "QUERY")
    assert "请选择本窗口办理的业务类型" in pledges_only.act("next", business_type_id=str(query_type))
    anyone = Counter(hall_app, counter_ids(hall_app)[0], username="counter2")
    anyone.act("next", business_type_id=str(query_type))
    assert anyone.current() == "E001"


def test_another_offices_counter_is_not_found(hall_app):
    desk = Counter(hall_app, counter_ids(hall_app, "BJ")[0])
    assert desk.client.get(f"/staff/counter/{desk.id}").status_code == 404


def test_two_counters_calling_at_once_never_share_a_ticket(hall_app):
    _day(hall_app)
    with hall_app.app_context():
        from models import Office
        office = db.session.get(Office, office_id(hall_app))
        query = [b for b in office.business_types if b.code == "QUERY"][0]
        for _ in range(30):
            hall_queue.walk_in(office, query.id)
        for i in range(2):
            db.session.add(StaffUser(username=f"c{i}", password_hash="x", roles="counter",
                                     office_id=office.id))
        db.session.commit()
    ids = counter_ids(hall_app)[:2]
    called = {ids[0]: [], ids[1]: []}
    errors = []
    # Every round both counters press 叫号 at the same moment (so both get work, whatever
    # the scheduler does); when one finds nobody waiting, the other is let go too.
    rounds = threading.Barrier(2, timeout=30)

    def work(counter_id, staff_name):
        with hall_app.app_context():
            staff = db.session.execute(db.select(StaffUser).filter_by(username=staff_name)).scalar_one()
            try:
                while True:
                    rounds.wait()
                    desk = db.session.get(HallCounter, counter_id)
                    try:
                        ticket = counters.call_next(desk, staff)
                    except counters.Refused:
                        db.session.rollback()
                        continue
                    if ticket is None:
                        break
                    called[counter_id].append(ticket.label)
                    counters.finish(desk)
            except threading.BrokenBarrierError:
                pass  # the other counter found the queue empty
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(repr(exc))
            finally:
                rounds.abort()
                db.session.remove()

    threads = [threading.Thread(target=work, args=(cid, f"c{i}")) for i, cid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    everything = called[ids[0]] + called[ids[1]]
    assert len(everything) == 30 and len(set(everything)) == 30
    assert called[ids[0]] and called[ids[1]], called  # both got work …
    assert len(called[ids[0]]) == len(called[ids[1]]) == 15, called  # … one each round


def test_the_display_shows_the_numbers_being_called(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    kiosk.walk_in("QUERY")
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    desk.act("next")
    page = hall_app.test_client().get("/h5/queue/display/SH").get_data(as_text=True)
    assert 'data-label="E001"' in page and "请到 1号窗口 办理" in page
    assert hall_app.test_client().get("/h5/queue/display/XX").status_code == 404


def test_counter_pages_need_the_counter_role(hall_app):
    kiosk = Kiosk(hall_app)
    assert kiosk.client.get("/staff/counter").status_code == 403
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    assert desk.client.post(f"/staff/counter/{desk.id}/next").status_code == 400  # no CSRF
    assert desk.client.post(f"/staff/counter/{desk.id}/explode",
                            data={"csrf_token": csrf_from(desk.page())}
                            ).status_code == 404
