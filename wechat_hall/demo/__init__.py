"""Demo data (P-9): a realistic hall for `make run`, loaded by `flask demo seed`.

Seeding is idempotent: every seeder looks its rows up by natural key first.
Each feature adds a seeder module and lists it in ``SEEDERS``.
"""
from wechat_hall.extensions import db

from . import offices, staff

SEEDERS = [offices, staff]


def is_empty():
    from models import Office
    return db.session.execute(db.select(Office.id).limit(1)).first() is None


def seed():
    """Run every seeder in order; returns the demo logins to print."""
    logins = []
    for seeder in SEEDERS:
        logins += seeder.seed() or []
    db.session.commit()
    return logins
