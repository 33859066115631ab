"""Write transactions that must not interleave on SQLite.

PostgreSQL serialises our conditional UPDATEs on the row lock and re-checks their WHERE
clause, so nothing more is needed there. SQLite's default deferred transaction lets two
connections read and then both try to write, and one fails with "database is locked"
at once; ``BEGIN IMMEDIATE`` takes the write lock first, so the other waits its busy
timeout instead (ENGINEERING.md §3).
"""
from wechat_hall.extensions import db


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
