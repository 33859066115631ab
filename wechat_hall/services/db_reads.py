"""Reads that need no transaction: a single SELECT on a connection of its own.

The hot polling endpoints (排号进度, ``/h5/queue/status.json``) read one row and answer.
On the app's own pool each such read costs a BEGIN and a ROLLBACK round trip, or — asking
for AUTOCOMMIT per connection — two isolation-level switches of the driver, one on the way
out of the pool and one on the way back. This engine's connections are in autocommit from
the moment they are opened, so a read is its one statement and nothing else. Its pool is
small (a read holds a connection for a millisecond) and belongs to the app and process.
"""
import threading

from flask import current_app
from sqlalchemy import create_engine

from wechat_hall.extensions import db

_creating = threading.Lock()


def read_connection():
    """A connection in autocommit, for one read; use it as a context manager."""
    app = current_app._get_current_object()
    engine = app.extensions.get("autocommit_engine")
    if engine is None:
        with _creating:
            engine = app.extensions.get("autocommit_engine")
            if engine is None:
                options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
                if db.engine.dialect.name == "postgresql":
                    options.update(pool_size=4, max_overflow=8)
                engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", **options)
                app.extensions["autocommit_engine"] = engine
    return engine.connect()
