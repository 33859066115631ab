"""Demo data (P-9): a realistic hall for `make run`, loaded by `flask demo seed`.

Seeding is idempotent: every seeder looks its rows up by natural key first.
Each feature adds a seeder module and lists it in ``SEEDERS``.
"""
from wechat_hall.extensions import db

from . import (
    hall_counters,
    issuer_portal,
    issuers,
    offices,
    registry,
    securities,
    staff,
    support,
    today,
    voting,
)

# securities after voting: it gives every open account (voting adds some) a year of
# history; issuers after it (its accounts keep their own rows); today's booking for the
# kiosk last, as `make run` repeats it every day.
SEEDERS = [offices, staff, registry, hall_counters, support, voting, securities, issuers,
           issuer_portal, today]


def is_empty():
    from models import Office
    return db.session.execute(db.select(Office.id).limit(1)).first() is None


def logins():
    """The demo logins of every seeder, for `make run` to print."""
    lines = []
    for seeder in SEEDERS:
        lines += getattr(seeder, "logins", lambda: [])()
    return lines


def seed():
    """Run every seeder in order; returns the demo logins to print."""
    for seeder in SEEDERS:
        seeder.seed()
    db.session.commit()
    return logins()
