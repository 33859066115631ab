"""Demo data for tests: seeded once per run, restored for each test that asks for it.

Seeding the demo is slow for a fixture (staff password hashes, a year of securities
history, the closed meeting's ballot chain: a second or more), and most tests need only
its rows. So the first test that asks for a data set gets it seeded for real, by the
seeders, on its clean database; every table's rows are then kept in memory, and each
later test that asks for the same set gets those rows inserted back into its own clean
database (milliseconds). Each test still starts from nothing (``make_app`` cleans the
database and Redis) and sees no other test's writes.

A snapshot is only reused under the same clock: seeders date rows relative to "today"
(history, meetings), so the key holds ``CLOCK_NOW`` and the real Shanghai date.

Tests of the seeders themselves (idempotence, completeness) call ``demo.seed()`` and
are not served from here.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text

from wechat_hall import demo
from wechat_hall.demo import hall_counters, offices
from wechat_hall.demo import support as demo_support
from wechat_hall.extensions import db


def _registry():
    demo.registry.seed()


def _history():
    demo.registry.seed()
    demo.securities.seed()


def _nominees():
    demo.registry.seed()
    demo.voting._seed_nominees()


def _halls():
    offices.seed()
    db.session.flush()
    hall_counters.seed()


DATASETS = {
    "demo": demo.seed,                  # everything `flask demo seed` makes
    "registry": _registry,              # investors, 一码通, accounts, brokers, bank cards
    "history": _history,                # the register and a year of securities history
    "nominees": _nominees,              # the register and the nominee institutions
    "halls": _halls,                    # offices, slot templates, counters, business types
    "support": demo_support.seed,       # CS queues, rules, knowledge base, canned replies
}

SHANGHAI = ZoneInfo("Asia/Shanghai")
_snapshots = {}  # (data set, CLOCK_NOW, real Shanghai date) → {table: [row, …]}


def load(app, name):
    """Put the data set ``name`` into the app's database, which must be empty."""
    with app.app_context():
        key = (name, app.config.get("CLOCK_NOW"),
               datetime.now(timezone.utc).astimezone(SHANGHAI).date())
        _require_empty(name)
        if key in _snapshots:
            _restore(_snapshots[key])
        else:
            _snapshots[key] = _seed(app, name)
    return app


def _tables():
    return db.metadata.sorted_tables


def _require_empty(name):
    counts = " + ".join(f'(SELECT count(*) FROM "{t.name}")' for t in _tables())
    if db.session.execute(text(f"SELECT {counts}")).scalar_one():
        raise AssertionError(f"seeding.load({name!r}) needs an empty database: ask for the "
                             "data set before the test writes anything")


def _seed(app, name):
    redis = app.extensions["redis"]
    keys_before = redis.dbsize()
    DATASETS[name]()
    db.session.commit()
    if redis.dbsize() != keys_before:  # the snapshot holds tables only
        raise AssertionError(f"seeding {name!r} wrote to Redis; the snapshot would miss it")
    snapshot = {}
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(db.select(table).order_by(*order)).mappings().all()
        if rows:
            snapshot[table] = [dict(row) for row in rows]
    db.session.remove()
    return snapshot


def _restore(snapshot):
    for table, rows in snapshot.items():  # parents before children
        db.session.execute(table.insert(), rows)
    if db.engine.dialect.name == "postgresql":
        # The rows came with their ids; move each id sequence past them, as seeding did.
        moves = []
        for table, rows in snapshot.items():
            column = table.autoincrement_column
            if column is not None:
                last = max(row[column.name] for row in rows)
                moves.append(f"setval(pg_get_serial_sequence('\"{table.name}\"', "
                             f"'{column.name}'), {int(last)})")
        if moves:
            db.session.execute(text("SELECT " + ", ".join(moves)))
    db.session.commit()
    db.session.remove()


def forget_counters(app):
    """Empty Redis of throttles, caches and counters, keeping the sessions (``session:…``):
    what a test that waits out a limit needs without signing everybody out."""
    r = app.extensions["redis"]
    for key in r.scan_iter():
        if not key.startswith(b"session:"):
            r.delete(key)
