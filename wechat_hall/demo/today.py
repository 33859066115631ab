"""A booking for today at the 上海 hall, so the kiosk (取号机) can be tried right after
`make run`: the kiosk rightly refuses an appointment of another day, and bookings
start tomorrow, so without this nothing could be checked in on the first day.

Written directly like the rest of the demo (the booking rules refuse today), into the
slot now running or the next one of today, so it can be checked in until that slot
ends; after the day's last slot there is none until the next run. One per day: its
``confirm_token`` is ``demo-today-<date>``, so running it again changes nothing.
`make run` calls it every time (``flask demo today``), also when the rest of the demo
was loaded on an earlier day.
"""
from models import Appointment, BusinessType, Office, SlotTemplate
from models.appointment import BOOKED, DOMESTIC
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.appointments import calendar, slots
from wechat_hall.services.appointments.booking import new_code

OFFICE = "SH"
# 王安, the first demo identity (registry.py).
NAME, COMPANY, ID_NUMBER = "王安", "个人办理", "211103198603040003"


def _token():
    return f"demo-today-{clock.today():%Y-%m-%d}"


def booking():
    """Today's demo booking, or None."""
    return db.session.execute(db.select(Appointment).filter_by(
        confirm_token=_token())).scalar_one_or_none()


def seed():
    """Book today's demo appointment unless it is there or today's slots are over."""
    office = _office()
    if office is None or booking() is not None:
        return
    now = clock.local_now().time().replace(tzinfo=None)
    template = db.session.execute(
        db.select(SlotTemplate).filter(SlotTemplate.office_id == office.id,
                                       SlotTemplate.active.is_(True),
                                       SlotTemplate.end_time > now)
        .order_by(SlotTemplate.start_time).limit(1)).scalar_one_or_none()
    business = db.session.execute(
        db.select(BusinessType).filter_by(office_id=office.id, active=True)
        .order_by(BusinessType.sort_order).limit(1)).scalar_one_or_none()
    if template is None or business is None:
        return
    today = clock.today()
    slot = slots.slot_for(office.id, template.id, today)
    if not slots.take_place(slot.id):
        return  # the slot is full: no demo booking rather than an overbooked one
    db.session.add(Appointment(
        code=new_code(), confirm_token=_token(), office_id=office.id,
        business_type_id=business.id, slot_id=slot.id, day=today,
        start_time=slot.start_time, end_time=slot.end_time, agent_type=DOMESTIC,
        agent_name=NAME, agent_company=COMPANY, id_number=ID_NUMBER, items=1, status=BOOKED,
        created_at=clock.utcnow()))
    db.session.flush()


def _office():
    return db.session.execute(db.select(Office).filter_by(code=OFFICE)).scalar_one_or_none()


def logins():
    if _office() is None:
        return []
    row = booking()
    if row is None:
        return ["取号机演示：今日上海大厅的预约时段已结束，未生成今日演示预约；取号机仍可领取"
                "普通号，明天预约时段结束前再运行 make run（或 flask demo today）即有当日预约"]
    closed = "" if calendar.day_status(row.day).open else "（今日休息，仅供试用取号机）"
    return [f"取号机演示：今日 {row.day:%Y-%m-%d} {row.office.name} {row.slot_label}"
            f" {row.business_type.name} 预约码 {row.code}（{row.status_label}）{closed}，"
            "员工 kiosk 在 /staff/kiosk 扫码或输入"]
