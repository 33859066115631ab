"""Rules for what an admin enters in the back office (offices, business types, slots).

The back-office views check a field's format beside the field; the rules that look at
other rows (a duplicate code, overlapping slots) live here and raise ``Rejected`` with
the message to show.
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


def check_office(office):
    if not OFFICE_CODE_RE.match(office.code or ""):
        raise Rejected(OFFICE_CODE_RULE)
    if _others(Office, office, Office.code == office.code):
        raise Rejected(f"地区代码 {office.code} 已被其他网点使用。")


def check_business_type(business):
    """Codes and queue-number prefixes are unique within an office (A023 names one queue)."""
    if business.office is None and business.office_id is None:
        raise Rejected("请选择所属网点。")
    if not BUSINESS_CODE_RE.match(business.code or ""):
        raise Rejected(BUSINESS_CODE_RULE)
    if not TICKET_PREFIX_RE.match(business.ticket_prefix or ""):
        raise Rejected(TICKET_PREFIX_RULE)
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
    if slot.start_time is None or slot.end_time is None:
        raise Rejected("请填写开始时间和结束时间。")
    if slot.end_time <= slot.start_time:
        raise Rejected("结束时间必须晚于开始时间。")
    if slot.capacity is None or not 0 <= slot.capacity <= MAX_CAPACITY:
        raise Rejected(f"名额须为0-{MAX_CAPACITY}之间的整数。")
    office_id = slot.office.id if slot.office is not None else slot.office_id
    for other in _others(SlotTemplate, slot, SlotTemplate.office_id == office_id):
        if other.start_time <= slot.end_time and slot.start_time <= other.end_time:
            raise Rejected(f"与该网点已有时段 {other.label} 重叠。")
