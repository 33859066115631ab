"""Write transactions that must not interleave on SQLite.

PostgreSQL serialises our conditional UPDATEs on the row lock and re-checks their WHERE
clause, so nothing more is needed there. SQLite's default deferred transaction lets two
connections read and then both try to write, and one fails with "database is locked"
at once; ``BEGIN IMMEDIATE`` takes the write lock first, so the other waits its busy
timeout instead (docs/APPOINTMENTS.md, No overbooking).
"""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from wechat_hall.extensions import db

SQLITE_BUSY_MS = 15000


@event.listens_for(Engine, "connect")
def _sqlite_waits_for_the_lock(dbapi_connection, record):
    """Writers queue on BEGIN IMMEDIATE; on a busy machine 5 s (pysqlite's default) is
    short for a burst of bookings, so SQLite waits up to 15 s before "database is locked"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")


def begin_write():
    """Call at the start of a booking/queue transaction, before reading what it checks."""
    if db.engine.dialect.name != "sqlite":
        return
    raw = db.session.connection().connection.dbapi_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def insert_ignore(model):
    """INSERT … ON CONFLICT DO NOTHING for the database in use."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)
