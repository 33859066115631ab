"""Offices (service halls) and what they offer."""
from datetime import datetime, timedelta

from sqlalchemy import func

from models import Office, SlotTemplate
from wechat_hall.extensions import db


def active_offices():
    return db.session.execute(db.select(Office).filter_by(active=True)
                              .order_by(Office.id)).scalars().all()


def booking_hours():
    """{office id: "8:30—16:00"}: from the start of an office's first active slot to the
    end of its last (08:30:00~…~15:59:59 reads 8:30—16:00), what the chat's office list
    tells. An office without active slots is left out."""
    rows = db.session.execute(
        db.select(SlotTemplate.office_id, func.min(SlotTemplate.start_time),
                  func.max(SlotTemplate.end_time))
        .filter(SlotTemplate.active.is_(True)).group_by(SlotTemplate.office_id)).all()
    return {office_id: f"{_wall(start)}—{_wall(end, round_up=True)}"
            for office_id, start, end in rows}


def _wall(at, round_up=False):
    """8:30 for 08:30:00; with ``round_up`` a slot's last second 15:59:59 reads 16:00."""
    if round_up and at.second:
        at = (datetime.combine(datetime.min, at) + timedelta(seconds=60 - at.second)).time()
    return f"{at.hour}:{at.minute:02d}"
