"""Rules for what an admin enters in the customer-service back office (CS): queue codes,
canned-reply shortcuts and agents. Business hours are :func:`hours.check_line`, routing
patterns :func:`routing.pattern_error`. Each raises ``Rejected`` with the message to show;
the back-office forms call the one-field rules beside their fields, the views the
whole-row checks."""
import re

from sqlalchemy import func

from models import CsAgent
from wechat_hall.extensions import db
from wechat_hall.services.errors import Rejected

QUEUE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
SHORTCUT_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_AGENT_CAPACITY = 50
AGENT_ROLES = {"agent", "admin"}


def check_queue_code(code):
    if not QUEUE_CODE_RE.match(code or ""):
        raise Rejected("队列代码为2-16位大写字母、数字或下划线，以字母开头，如 SH。")


def check_shortcut(shortcut):
    """The code an agent types as ``::code`` (services/support/agent_desk.py)."""
    if not SHORTCUT_RE.match(shortcut or ""):
        raise Rejected("快捷代码为1-32位字母、数字、下划线或连字符。")


def check_agent_capacity(capacity):
    if capacity is None or not 1 <= capacity <= MAX_AGENT_CAPACITY:
        raise Rejected(f"接待上限须为1-{MAX_AGENT_CAPACITY}之间的整数。")


def check_agent(agent, is_new):
    """An agent is a staff member with the agent (or admin) role, once."""
    staff = agent.staff
    if staff is None or not staff.role_set & AGENT_ROLES:
        raise Rejected("只有客服坐席或管理员可以设为坐席。")
    check_agent_capacity(agent.capacity)
    if is_new:
        with db.session.no_autoflush:  # the new row is in the session, not yet saved
            taken = db.session.execute(db.select(func.count()).select_from(CsAgent).filter(
                CsAgent.staff_id == staff.id)).scalar_one()
        if taken:
            raise Rejected("该员工已经是坐席。")
