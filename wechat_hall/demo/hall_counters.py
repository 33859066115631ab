"""Counters (窗口) of the three halls: two serve everything, one only pledges."""
from models import BusinessType, HallCounter, Office
from wechat_hall.extensions import db

COUNTERS = [("1号窗口", None), ("2号窗口", None), ("3号窗口", ("PLEDGE", "UNPLEDGE"))]


def seed():
    for office in db.session.execute(db.select(Office)).scalars():
        types = db.session.execute(db.select(BusinessType).filter_by(office_id=office.id)
                                   .order_by(BusinessType.sort_order)).scalars().all()
        for order, (name, codes) in enumerate(COUNTERS):
            exists = db.session.execute(db.select(HallCounter.id).filter_by(
                office_id=office.id, name=name)).first()
            if exists:
                continue
            db.session.add(HallCounter(office_id=office.id, name=name, sort_order=order,
                                       business_types=[t for t in types
                                                       if codes is None or t.code in codes]))
