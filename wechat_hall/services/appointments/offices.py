"""Offices (service halls) and what they offer."""
from models import Office
from wechat_hall.extensions import db


def active_offices():
    return db.session.execute(db.select(Office).filter_by(active=True)
                              .order_by(Office.id)).scalars().all()
