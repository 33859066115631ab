"""The cluster fixture: the demo data on the suite's PostgreSQL and Redis, then two
gunicorn servers, two job workers and two schedulers on them, for this directory's tests.

Only in the services pass (``HALL_TEST_DATABASE_URL`` and ``HALL_TEST_REDIS_URL`` set):
in the embedded pass there is no database or Redis other processes could share.
"""
import os
import time
from datetime import time as clock_time

import pytest

from models import (
    BookingSlot,
    CsAgent,
    CsBusinessHours,
    HallUser,
    Office,
    SlotTemplate,
    StaffUser,
    YmtAccount,
)
from tests.accounts.account_helpers import QUICK_HASH
from tests.cluster import client as cluster_client
from tests.cluster.processes import Cluster
from tests.conftest import TEST_AES_KEY, TEST_APPID, TEST_TOKEN, _clean
from wechat_hall import create_app
from wechat_hall.clock import utcnow
from wechat_hall.demo import hall_counters, offices, registry, staff, support, voting
from wechat_hall.extensions import db

SERVICES = bool(os.environ.get("HALL_TEST_DATABASE_URL") and os.environ.get("HALL_TEST_REDIS_URL"))
# The demo's investors: (一码通, phone of the hall user made for them).
WANG = ("180312600024", "13900000024")
USERS = [WANG, ("180108300319", "13900000319"), ("180278900271", "13900000271")]
RACE_CAPACITY = 3

def pytest_collection_modifyitems(config, items):
    # Last in the run: its processes (servers, workers, schedulers) share the suite's
    # database and Redis db, so no other test runs while they may still be winding down.
    items.sort(key=lambda item: "tests/cluster/" in str(item.fspath))
    if not SERVICES:
        skip = pytest.mark.skip(reason="the cluster test runs in the PostgreSQL + Redis pass")
        for item in items:
            if "tests/cluster/" in str(item.fspath):
                item.add_marker(skip)


def _prepare(app):
    """What the cluster serves: the demo (halls, staff, investors, CS, meetings), CS open
    at all hours (the test runs at any hour), the demo agent with room for every
    conversation, three activated hall users, and a small slot for the booking race
    (before any scheduler materialises it)."""
    _clean(app)
    with app.app_context():
        # `flask demo seed` but the year of securities history and today's kiosk booking.
        for seeder in (offices, staff, registry, hall_counters, support, voting):
            seeder.seed()
        db.session.flush()
        db.session.execute(db.delete(CsBusinessHours))
        for day in range(8):
            db.session.add(CsBusinessHours(weekday=day, opens=clock_time(0, 0),
                                           closes=clock_time(23, 59, 59)))
        agent = db.session.execute(db.select(StaffUser).filter_by(username="agent")).scalar_one()
        db.session.get(CsAgent, agent.id).capacity = 50
        for ymt_number, phone in USERS:
            ymt = db.session.execute(
                db.select(YmtAccount).filter_by(number=ymt_number)).scalar_one()
            user = HallUser(phone=phone, ymt_account=ymt, activated_at=utcnow())
            user.password_hash = QUICK_HASH
            db.session.add(user)
        templates = db.session.execute(
            db.select(SlotTemplate).join(Office, Office.id == SlotTemplate.office_id)
            .filter(Office.code == "SH").order_by(SlotTemplate.start_time)).scalars().all()
        race, flow = templates[0], templates[1]
        race.capacity = RACE_CAPACITY
        db.session.execute(db.update(BookingSlot).where(BookingSlot.template_id == race.id)
                           .values(capacity=RACE_CAPACITY))
        db.session.commit()
        return {"race_template": race.id, "flow_template": flow.id}


@pytest.fixture(scope="module")
def cluster(base_config, _schema, tmp_path_factory, request):
    if not SERVICES:
        pytest.skip("the cluster needs PostgreSQL and Redis")
    app = create_app(base_config)
    facts = _prepare(app)
    log_dir = tmp_path_factory.mktemp("cluster")
    metrics_dir = log_dir / "prometheus"
    metrics_dir.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECHAT_", "HALL_", "PROMETHEUS_")) and k not in (
               "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT")}
    env.update(
        FLASK_APP="wsgi.py", DATABASE_URL=base_config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=base_config["REDIS_URL"], SECRET_KEY=base_config["SECRET_KEY"],
        WECHAT_APPID=TEST_APPID, WECHAT_SECRET="testsecret", WECHAT_TOKEN=TEST_TOKEN,
        WECHAT_AES_KEY=TEST_AES_KEY, SIMULATOR_ENABLED="1", PUBLIC_BASE_URL="http://127.0.0.1",
        LOG_FORMAT="json", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), PYTHONUNBUFFERED="1",
        CERT_DIR=str(log_dir / "certs"),
        # A killed worker's job is taken up again when its lease runs out: short here.
        JOB_LEASE_SECONDS="10")
    started = time.monotonic()
    shape = Cluster(env, log_dir)
    try:
        shape.start()
    except Exception:
        shape.stop()
        raise
    shape.app, shape.facts, shape.log_dir = app, facts, log_dir
    shape.started_in = time.monotonic() - started
    yield shape
    shape.stop()
    _closing_note(request, shape, time.monotonic() - started)
    with app.app_context():
        _clean(app)
        db.session.remove()
        db.engine.dispose()


def _per(crossed, kind):
    return ", ".join(f"{key.split(':')[1]} {n}" for key, n in sorted(crossed.items())
                     if key.startswith(kind + ":"))


def _closing_note(request, shape, seconds):
    """What crossed processes, printed at the end of the run (docs/DEPLOYMENT.md)."""
    crossed = cluster_client.CROSSED
    jobs = shape.lines("job")
    periodic = shape.lines("periodic")
    by = {}
    for line in jobs:
        by[line["_process"]] = by.get(line["_process"], 0) + 1
    ticks = {}
    for line in periodic:
        ticks[line["_process"]] = ticks.get(line["_process"], 0) + 1
    pids = {(line["_process"], line.get("pid")) for line in shape.lines("request")}
    note = [
        "", f"cluster: 2 servers × 2 gunicorn workers, 2 job workers, 2 schedulers (then "
        f"{', '.join(p.name for p in shape.retired) or 'none'} stopped or killed); started "
        f"in {shape.started_in:.1f} s, {seconds:.1f} s in all",
        "  requests per server: " + _per(crossed, "requests"),
        "  pushes per server:   " + _per(crossed, "pushes"),
        f"  web processes that logged requests: {len(pids)}",
        "  job runs per worker: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())),
        "  timed-job ticks per scheduler: " + ", ".join(f"{k} {v}"
                                                      for k, v in sorted(ticks.items())),
    ]
    for line in getattr(shape, "notes", []):
        note.append("  " + line)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    text = "\n".join(note)
    (shape.log_dir / "closing-note.txt").write_text(text)
    if reporter is not None:
        reporter.write_line(text)
    else:
        print(text)
