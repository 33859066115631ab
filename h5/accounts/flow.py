"""What a multi-step account flow remembers between its pages, in the (signed) session.

Each flow keeps one small dict under its name with the time it was written; it is
forgotten after ``FLOW_TTL`` seconds, so a half-finished flow cannot be resumed hours
later from a forgotten tab. Only ids and flags go here, never an SMS code or a password.
"""
from flask import session

from wechat_hall import clock

FLOW_TTL = 30 * 60

# The identity check in progress (h5/accounts/verification_flow.py): purpose, user, 一码通, new phone.
CHECK = "flow_check"
# 找回密码: the account found by phone, and whether the new password may be set.
RECOVER = "flow_recover"
# 找回密码 by e-mail: the address typed (whether an account holds it is not kept here).
RECOVER_EMAIL = "flow_recover_email"
# 账户注册 in WeChat: the phone whose code was verified in step 1.
REGISTER = "flow_register"
# The account just registered, for 直接登录 / 立即登录.
REGISTERED = "flow_registered"
# 变更手机号: the new phone whose code was verified.
NEW_PHONE = "flow_new_phone"


def put(name, **values):
    session[name] = {**values, "t": int(clock.timestamp())}


def get(name):
    data = session.get(name)
    if not isinstance(data, dict) or clock.timestamp() - data.get("t", 0) > FLOW_TTL:
        session.pop(name, None)
        return None
    return data


def drop(*names):
    for name in names:
        session.pop(name, None)
