"""排号进度查询 (APT-9): region + 排队码 → number, business, people ahead, an estimate;
the one-time WeChat reminder."""
import re

from models import SimOutbound, SimUser, Ticket
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending

from tests.appointments.apt_helpers import csrf_from
from tests.appointments.queue_helpers import Counter, Kiosk, counter_ids


def _day(app, minute=40):
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, minute)


def _ask(client, office, code):
    page = client.get("/h5/queue").get_data(as_text=True)
    return client.post("/h5/queue", data={"csrf_token": csrf_from(page), "office": office,
                                          "code": code}).get_data(as_text=True)


def _ahead(html):
    return int(re.search(r'id="queue-ahead">(\d+)<', html).group(1))


def test_the_form_as_the_seed_shows_it(hall_app):
    html = hall_app.test_client().get("/h5/queue?office=SZ").get_data(as_text=True)
    for text in ("查询叫号进度", "地区", "深圳", "排队码", "请输入排队码",
                 "请输入排队号单上的排队码，获取排队进程提醒", "查询进展"):
        assert text in html


def test_progress_shows_number_business_people_ahead_and_an_estimate(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    codes = [kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(4)]
    client = hall_app.test_client()
    html = _ask(client, "SH", codes[3])
    assert "E004" in html and "证券查询" in html and _ahead(html) == 3
    # Three people ahead, 10 minutes each by default, two counters serve 证券查询.
    assert "约15分钟" in html
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    desk.act("next")
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 44)
    desk.act("finish")  # a 4-minute service
    from tests.seeding import forget_counters
    forget_counters(hall_app)  # the cached estimate
    html = _ask(client, "SH", codes[3])
    assert _ahead(html) == 2 and "约4分钟" in html  # 2 × 4 min ÷ 2 counters
    desk.act("next")
    called = _ask(client, "SH", codes[1])
    assert "已叫号，请到1号窗口办理" in called


def test_unknown_codes_other_regions_and_junk_get_messages(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    client = hall_app.test_client()
    assert "未找到该排队码" in _ask(client, "BJ", code)
    assert "未找到该排队码" in _ask(client, "SH", "1234567890")
    assert "请输入排队码" in _ask(client, "SH", "  ")
    assert "请选择办理地区" in _ask(client, "XX", code)
    assert "未找到该排队码" in _ask(client, "SH", "<script>")
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 25, 9, 0)
    assert "仅当日有效" in _ask(client, "SH", code)


def test_guessing_codes_is_limited(make_app):
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    app = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_LOOKUP_MAX_FAILURES=3)
    seed_halls(app)
    client = app.test_client()
    for n in range(3):
        assert "未找到该排队码" in _ask(client, "SH", f"{n:010d}")
    assert "查询错误次数过多" in _ask(client, "SH", "0000000009")
    assert client.get("/h5/queue/status.json?office=SH&code=1").status_code == 404


def test_status_json_for_polling(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    kiosk.walk_in("QUERY")
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    data = hall_app.test_client().get(f"/h5/queue/status.json?office=SH&code={code}").get_json()
    assert data == {"label": "E002", "business": "证券查询", "status": "等待中", "ahead": 1,
                    "minutes": 5}


def test_the_wechat_reminder_is_sent_once_when_few_are_ahead(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    codes = [kiosk.ticket(kiosk.walk_in("QUERY"))[1] for _ in range(4)]
    openid = "o_queue_waiter_001"
    with hall_app.app_context():
        db.session.add(SimUser(openid=openid, label="排队的人", subscribed=True))
        db.session.commit()
    phone = hall_app.test_client()
    with phone.session_transaction() as session:
        session["wechat_openid"] = openid
    html = _ask(phone, "SH", codes[3])
    assert "前面剩3人时提醒我" in html
    phone.post("/h5/queue/remind", data={"csrf_token": csrf_from(html), "office": "SH",
                                         "code": codes[3], "ahead": "2"})
    assert "已设置提醒：前面不多于2人时" in _ask(phone, "SH", codes[3])
    desk = Counter(hall_app, counter_ids(hall_app)[0])
    desk.act("next")  # 3 ahead → 2: the reminder goes
    desk.act("finish")
    desk.act("next")  # 1 ahead: not again
    run_pending(hall_app)
    with hall_app.app_context():
        sent = db.session.execute(db.select(SimOutbound).filter_by(openid=openid)).scalars().all()
        assert len(sent) == 1 and sent[0].kind == "template" and sent[0].errcode == 0
        assert sent[0].payload["data"]["character_string2"]["value"] == "E004"
        assert sent[0].payload["data"]["number3"]["value"] == "2"
        assert db.session.execute(db.select(Ticket.reminded_at).filter_by(
            label="E004")).scalar() is not None
    assert "微信提醒已发送" in _ask(phone, "SH", codes[3])


def test_a_reminder_needs_wechat_and_a_sane_count(hall_app):
    _day(hall_app)
    kiosk = Kiosk(hall_app)
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    browser = hall_app.test_client()
    html = _ask(browser, "SH", code)
    assert "在微信“中国结算营业厅”中打开本页面，可设置叫号提醒" in html
    page = browser.post("/h5/queue/remind", data={"csrf_token": csrf_from(html), "office": "SH",
                                                  "code": code, "ahead": "2"}, follow_redirects=True)
    assert "请在微信中打开本页面以接收提醒" in page.get_data(as_text=True)
    with browser.session_transaction() as session:
        session["wechat_openid"] = "o_queue_sane_0001"
    for junk in ("0", "11", "x"):
        page = browser.post("/h5/queue/remind", data={"csrf_token": csrf_from(html), "office": "SH",
                                                      "code": code, "ahead": junk})
        assert "请选择提醒人数（1-10人）" in page.get_data(as_text=True)
    with hall_app.app_context():
        assert db.session.execute(db.select(Ticket.remind_openid)).scalar() is None


def test_the_fast_paths_agree_with_the_definition_on_crafted_queues(hall_app):
    """People ahead and the estimate, three ways: the definition (progress.progress, what
    the page and the chat show), the polling endpoint's fast paths (quick_status: the
    office's line in Redis, one statement for a code it lacks) and the reminders' position
    in call order — against an oracle sorted
    here, on queues mixing priorities, statuses, business types, halls and days."""
    from datetime import timedelta

    from models import BusinessType, Office
    from models.hall_queue import CALLED, DONE, NO_SHOW, WAITING
    from wechat_hall.services.appointments import progress

    _day(hall_app)
    with hall_app.app_context():
        today = clock.today()
        offices = {o.code: o for o in db.session.execute(db.select(Office)).scalars()}
        business = {(b.office_id, b.code): b for b in
                    db.session.execute(db.select(BusinessType)).scalars()}
        sh, bj = offices["SH"], offices["BJ"]
        query, pledge = business[(sh.id, "QUERY")], business[(sh.id, "PLEDGE")]
        # (office, business, day, priority, status): insertion order is ticket id order.
        plan = [(sh, query, today, 1, WAITING), (sh, query, today, 1, DONE),
                (sh, query, today, 0, WAITING), (sh, pledge, today, 0, WAITING),
                (sh, query, today, 1, WAITING), (sh, query, today, 1, CALLED),
                (sh, query, today - timedelta(days=1), 0, WAITING),
                (bj, business[(bj.id, "QUERY")], today, 0, WAITING),
                (sh, query, today, 0, WAITING), (sh, query, today, 1, NO_SHOW),
                (sh, query, today, 1, WAITING), (sh, pledge, today, 1, WAITING),
                (sh, query, today, 0, WAITING)]
        now = clock.utcnow()
        rows = []
        for n, (office, biz, day, priority, status) in enumerate(plan, start=1):
            ticket = Ticket(office_id=office.id, business_type_id=biz.id, day=day, number=n,
                            label=f"{biz.ticket_prefix}{n:03d}", query_code=f"{9000000000 + n}",
                            priority=priority, status=status)
            if status == DONE:  # one finished 6-minute service: the queue's mean
                ticket.called_at, ticket.finished_at = now - timedelta(minutes=6), now
            db.session.add(ticket)
            db.session.flush()
            rows.append(ticket)
        db.session.commit()
        oracle = {}
        for t in rows:
            if t.status == WAITING:
                queue = sorted((o for o in rows if o.status == WAITING and
                                (o.office_id, o.day, o.business_type_id)
                                == (t.office_id, t.day, t.business_type_id)),
                               key=lambda o: (o.priority, o.id))
                oracle[t.id] = queue.index(t)
            else:
                oracle[t.id] = 0
        # Appointments (priority 0) first, each class in ticket order; other queues apart.
        assert [oracle[rows[n - 1].id] for n in (3, 9, 13, 1, 5, 11, 4, 12)] == \
            [0, 1, 2, 3, 4, 5, 0, 1]
        for t in rows:
            shown = progress.progress(t)
            assert shown["ahead"] == oracle[t.id], t.label
            if t.day != today:
                continue  # the endpoint answers today's tickets only
            office = sh if t.office_id == sh.id else bj
            fast = progress.quick_status(office.code, t.query_code, "test")
            assert (fast["ahead"], fast["minutes"]) == (shown["ahead"], shown["minutes"]), t.label
        # The poll's copy of each hall's line (poll_snapshot.py) holds the same numbers.
        for office in (sh, bj):
            line = progress.line_of(office.id, today)
            mine = [t for t in rows if t.office_id == office.id and t.day == today]
            assert sorted(line) == sorted(t.query_code for t in mine)
            for t in mine:
                assert line[t.query_code]["ahead"] == oracle[t.id], t.label
        # The SH 证券查询 queue: five waiting, the mean 6 minutes, two counters serve it.
        deepest = max((t for t in rows if t.office_id == sh.id and t.business_type_id == query.id
                       and t.day == today), key=lambda t: oracle[t.id])
        assert oracle[deepest.id] == 5 and progress.progress(deepest)["minutes"] == 15
        # The reminders count by position in call order: due exactly at the definition.
        assert progress.request_reminder(deepest, "o_remind", oracle[deepest.id] - 1) is False
        assert progress.request_reminder(deepest, "o_remind", oracle[deepest.id]) is True


def _polls(app, client, code):
    from wechat_hall.redis_store import get_redis
    with app.app_context():
        get_redis().flushdb()  # no wrong guesses of an earlier round
    out = []
    for query in (f"office=SH&code={code}", "office=SH", "office=XX&code=1",
                  "office=SH&code=1", "office=SH&code=2", "office=SH&code=3", "code=1"):
        resp = client.get(f"/h5/queue/status.json?{query}",
                          headers={"X-Forwarded-For": "203.0.113.7"})
        out.append((resp.status_code, resp.headers["Content-Type"], resp.get_data()))
    return out


def _lean_app(make_app, **config):
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    app = make_app(CLOCK_NOW=MONDAY_10AM, QUEUE_LOOKUP_MAX_FAILURES=2, **config)
    seed_halls(app)
    kiosk = Kiosk(app)
    return app, kiosk.ticket(kiosk.walk_in("QUERY"))[1]


def test_the_lean_poll_answers_byte_for_byte_as_the_flask_view(make_app):
    """Issue 15: the poll is a lean route (wechat_hall/lean_routes.py); its answers,
    wrong-guess counting included, are those of the Flask view behind it."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from wechat_hall.lean_routes import LeanRoutes
    app, code = _lean_app(make_app)
    assert isinstance(app.wsgi_app, LeanRoutes)
    lean = _polls(app, app.test_client(), code)
    flask_path = _polls(app, Client(app.wsgi_app.inner, Response), code)
    assert lean == flask_path
    assert lean[0][0] == 200 and b"E001" in lean[0][2]
    assert lean[-1][0] == 404 and "查询错误次数过多" in lean[-1][2].decode("unicode_escape")


def test_the_lean_poll_counts_guesses_per_client_behind_the_proxy(make_app):
    """With TRUSTED_PROXIES, the guesses are the forwarded client's, not the proxy's."""
    app, code = _lean_app(make_app, TRUSTED_PROXIES=1)
    answers = _polls(app, app.test_client(), code)
    assert "查询错误次数过多" in answers[-1][2].decode("unicode_escape")
    other = app.test_client().get("/h5/queue/status.json?office=SH&code=1",
                                  headers={"X-Forwarded-For": "198.51.100.9"})
    assert "查询错误次数过多" not in other.get_data().decode("unicode_escape")
