"""Rules for what an admin enters in the back office (offices, business types, slots,
per-date places, counters).

Every rule is here and raises ``Rejected`` with the message to show. The back-office
forms call the one-field rules (``check_office_code`` …) as field validators, so the
message appears beside the field; the views run the whole-row checks (``check_office``
…), which call the same rules again and add those that look at other rows (a duplicate
code, overlapping slots).
"""
import re

from models import BusinessType, Office, SlotTemplate
from wechat_hall.extensions import db
from wechat_hall.services.errors import Rejected

OFFICE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
OFFICE_CODE_RULE = "地区代码须为2-16位大写字母或数字，以字母开头（如 SH）。"
BUSINESS_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
BUSINESS_CODE_RULE = "业务代码须为大写字母开头的大写字母、数字或下划线（如 PLEDGE）。"
TICKET_PREFIX_RE = re.compile(r"^[A-Z]{1,2}$")
TICKET_PREFIX_RULE = "取号前缀须为1-2位大写英文字母（如 A、VB）。"
MAX_CAPACITY = 9999


def _others(model, row, *criteria):
    query = db.select(model).filter(*criteria)
    if row.id is not None:
        query = query.filter(model.id != row.id)
    # The row being saved is already in the session: do not flush it before the check.
    with db.session.no_autoflush:
        return db.session.execute(query).scalars().all()


def check_office_code(code):
    if not OFFICE_CODE_RE.match(code or ""):
        raise Rejected(OFFICE_CODE_RULE)


def check_business_code(code):
    if not BUSINESS_CODE_RE.match(code or ""):
        raise Rejected(BUSINESS_CODE_RULE)


def check_ticket_prefix(prefix):
    if not TICKET_PREFIX_RE.match(prefix or ""):
        raise Rejected(TICKET_PREFIX_RULE)


def check_capacity(capacity):
    if capacity is None or not 0 <= capacity <= MAX_CAPACITY:
        raise Rejected(f"名额须为0-{MAX_CAPACITY}之间的整数。")


def check_slot_times(start, end):
    if start is None or end is None:
        raise Rejected("请填写开始时间和结束时间。")
    if end <= start:
        raise Rejected("结束时间必须晚于开始时间。")


def check_office(office):
    check_office_code(office.code)
    if _others(Office, office, Office.code == office.code):
        raise Rejected(f"地区代码 {office.code} 已被其他网点使用。")


def check_business_type(business):
    """Codes and queue-number prefixes are unique within an office (A023 names one queue)."""
    if business.office is None and business.office_id is None:
        raise Rejected("请选择所属网点。")
    check_business_code(business.code)
    check_ticket_prefix(business.ticket_prefix)
    office_id = business.office.id if business.office is not None else business.office_id
    siblings = _others(BusinessType, business, BusinessType.office_id == office_id)
    for other in siblings:
        if other.code == business.code:
            raise Rejected(f"该网点已有业务代码 {business.code}（{other.name}）。")
        if other.ticket_prefix == business.ticket_prefix:
            raise Rejected(f"取号前缀 {business.ticket_prefix} 已被该网点的“{other.name}”使用。")


def check_slot_template(slot):
    """A slot ends after it starts, offers 0..MAX places and overlaps no other of its office."""
    if slot.office is None and slot.office_id is None:
        raise Rejected("请选择所属网点。")
    check_slot_times(slot.start_time, slot.end_time)
    check_capacity(slot.capacity)
    office_id = slot.office.id if slot.office is not None else slot.office_id
    for other in _others(SlotTemplate, slot, SlotTemplate.office_id == office_id):
        if other.start_time <= slot.end_time and slot.start_time <= other.end_time:
            raise Rejected(f"与该网点已有时段 {other.label} 重叠。")


def check_booking_slot(slot):
    """号源 of one date: its places, never fewer than already booked."""
    check_capacity(slot.capacity)
    if slot.capacity < slot.booked:
        raise Rejected(f"名额不能少于已预约人数（{slot.booked}）。")


def check_counter(counter):
    """A counter serves business types of its own office only."""
    office_id = counter.office.id if counter.office is not None else counter.office_id
    if any(b.office_id != office_id for b in counter.business_types):
        raise Rejected("只能选择本网点的业务类型。")
