"""SMS verification codes (ACC-1/2/3/5/7/8): send one, check it once.

Rules: a 6-digit code lives ``SMS_CODE_TTL`` seconds; a phone may ask again for the same
purpose after ``SMS_RESEND_SECONDS``; per Asia/Shanghai day a phone gets at most
``SMS_DAILY_PER_PHONE`` codes and a requester (WeChat openid, or web session)
``SMS_DAILY_PER_REQUESTER``; past ``SMS_DAILY_PER_IP`` codes from one client address each
further one needs a solved graphic captcha (CaptchaRequired), up to the ceiling
``SMS_DAILY_PER_IP_MAX``; ``SMS_MAX_ATTEMPTS`` wrong entries void a code. Every refusal is a :class:`CodeRefused` whose ``str`` is the message for
the person.

All state is in Redis, shared by every process, and every key expires by itself. Only an
HMAC (keyed with ``SECRET_KEY``) of the code is stored; phone numbers and IPs in key names
are HMACs too, so nothing personal sits in Redis. Checks and their counters change in Lua
scripts (sms_limits.py), so two requests arriving together cannot both slip under a limit,
and a code can be used once even by two simultaneous submissions.

The SMS goes out synchronously, within the request, not as a job: the person waits for
it, a failure must be told now and must not use up the throttle or the daily caps
(the reservation is undone), a retried job could deliver a code after it expired, and
a job's payload would keep the code in clear in the outbox table.
"""
import logging
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass

import redis
from flask import current_app

from wechat_hall import adapters
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.redis_store import get_redis

from . import sms_limits

log = logging.getLogger(__name__)

REGISTER = "register"          # ACC-1
LOGIN = "login"                # ACC-2
BIND = "bind"                  # ACC-3
CHANGE_PHONE = "change_phone"  # ACC-5
RECOVER = "recover"            # ACC-7
ACTIVATE = "activate"          # ACC-8 (a): the phone reserved at account opening
BANKCARD = "bankcard"          # ACC-8 (b): the bank-reserved phone
DEREGISTER = "deregister"      # ACC-6
EMAIL_SET = "email_set"        # PUB-2: the code mailed to a new e-mail address
EMAIL_RECOVER = "email_recover"  # ACC-7 by e-mail
ISSUER_PHONE = "issuer_phone"  # ISS-3: 手机号码维护 of an issuer

# What the SMS says the code is for.
PURPOSES = {
    REGISTER: "账户注册",
    LOGIN: "账户登录",
    BIND: "绑定微信",
    CHANGE_PHONE: "变更手机号",
    RECOVER: "找回密码",
    ACTIVATE: "激活一码通",
    BANKCARD: "银联身份认证",
    DEREGISTER: "用户注销",
    EMAIL_SET: "设置电子邮箱",
    EMAIL_RECOVER: "找回密码",
    ISSUER_PHONE: "发行人手机号码维护",
}

DEFAULTS = {
    "SMS_CODE_TTL": 300,        # seconds a code is valid
    "SMS_RESEND_SECONDS": 60,   # per phone + purpose
    "SMS_DAILY_PER_PHONE": 10,  # codes per phone per Asia/Shanghai day, all purposes
    "SMS_DAILY_PER_REQUESTER": 10,  # per openid (WeChat) or browser session per day
    "SMS_DAILY_PER_IP": 20,     # per client address per day, then a captcha each time
    "SMS_DAILY_PER_IP_MAX": 500,  # per client address per day, refused beyond
    "SMS_MAX_ATTEMPTS": 5,      # wrong entries before a code is void
}

SIGNATURE = "【中国结算】"
CODE_RE = re.compile(r"^[0-9]{6}$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class CodeRefused(Exception):
    """Why no code was sent or accepted; ``str(exc)`` is the message for the person.

    ``retry_after`` is the number of seconds after which trying again can succeed, when
    that is known (the resend countdown, the end of the day).
    """

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class InvalidPhone(CodeRefused):
    def __init__(self):
        super().__init__("请输入正确的11位中国大陆手机号码。")


class ResendTooSoon(CodeRefused):
    def __init__(self, seconds):
        super().__init__(f"验证码发送过于频繁，请{seconds}秒后再试。", retry_after=seconds)


_SUBJECTS = {"phone": "该手机号", "email": "该电子邮箱", "requester": "您", "ip": "当前网络"}


class DailyLimitReached(CodeRefused):
    def __init__(self, who, seconds):
        self.who = who  # "phone" | "email" | "requester" | "ip"
        super().__init__(f"{_SUBJECTS[who]}今日获取验证码次数已达上限，请明天再试。",
                         retry_after=seconds)


class CaptchaRequired(CodeRefused):
    """The client address is past its brake: send again with the graphic captcha."""

    def __init__(self, wrong=False):
        super().__init__("图形验证码错误，请重新输入后再获取验证码。" if wrong else
                         "当前网络获取验证码较频繁，请输入图形验证码后再获取。")


class SendFailed(CodeRefused):
    def __init__(self):
        super().__init__("短信发送失败，请稍后再试。")


class ServiceBusy(CodeRefused):
    def __init__(self):
        super().__init__("系统繁忙，请稍后再试。")


class MalformedCode(CodeRefused):
    def __init__(self):
        super().__init__("请输入6位数字验证码。")


class CodeMissing(CodeRefused):
    """Expired, already used, voided, or never sent: the same answer for all."""

    def __init__(self):
        super().__init__("验证码已失效，请重新获取。")


class WrongCode(CodeRefused):
    def __init__(self, attempts_left):
        self.attempts_left = attempts_left
        super().__init__(f"验证码错误，还可输入{attempts_left}次。")


class CodeVoided(CodeRefused):
    def __init__(self):
        super().__init__("验证码错误次数过多，已失效，请重新获取。")


@dataclass(frozen=True)
class SentCode:
    phone: str         # normalised, 11 digits
    expires_in: int    # seconds
    resend_after: int  # seconds, for the button's countdown


def normalize_phone(raw):
    """11 digits from what a person typed (+86, 86, 0086, spaces, full-width digits).

    Raises InvalidPhone unless it is a mainland mobile number (1[3-9] and 9 digits).
    """
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = re.sub(r"[\s\-()]", "", text)
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix):]
            break
    if not MOBILE_RE.match(text):
        raise InvalidPhone()
    return text


def request_code(phone, purpose, ip, requester=None, captcha_solved=False):
    """Send a new code for ``purpose`` to ``phone``; the previous one stops working.

    ``ip`` is the client's address (``request.remote_addr``); pass None only where no
    person's address exists. ``requester`` names who asks (``openid:…`` or
    ``session:…``); ``captcha_solved`` says a graphic captcha was solved for this very
    request, which lets it past the address's brake. Commits the session: a sent SMS cannot be taken back, and
    the development inbox row must outlive a later rollback, so call it as a step of its
    own, not in the middle of other changes. Raises a CodeRefused subclass.
    """
    phone = normalize_phone(phone)

    def deliver(code, minutes):
        adapters.sms().send(phone, f"{SIGNATURE}您的验证码为{code}，用于{PURPOSES[purpose]}，"
                                   f"{minutes}分钟内有效。如非本人操作，请忽略。")
    return issue(phone, purpose, ip, requester, captcha_solved, deliver, mask_phone(phone))


def issue(address, purpose, ip, requester, captcha_solved, deliver, masked, who="phone"):
    """The throttles, daily caps and the stored code for one ``address`` (a normalised
    phone, or an e-mail address: emails.py); ``deliver(code, minutes)`` sends it. ``who``
    names the address in DailyLimitReached."""
    _check_purpose(purpose)
    cfg = _settings()
    day, until_midnight = sms_limits.today()
    unused = sms_limits.key("unused")
    keys = [sms_limits.key("resend", purpose, address),
            sms_limits.key("day", day, "phone", address),
            sms_limits.key("day", day, "requester", requester) if requester else unused,
            sms_limits.key("day", day, "ip", str(ip)) if ip else unused]
    token = secrets.token_hex(8)
    try:
        outcome, value = sms_limits.reserve(get_redis(), keys, [
            token, sms_limits.ms(cfg["SMS_RESEND_SECONDS"]), cfg["SMS_DAILY_PER_PHONE"],
            cfg["SMS_DAILY_PER_REQUESTER"], cfg["SMS_DAILY_PER_IP"],
            cfg["SMS_DAILY_PER_IP_MAX"], until_midnight + 3600, int(bool(requester)),
            int(bool(ip)), int(bool(captcha_solved))])
    except redis.RedisError:
        log.exception("sms code: redis unavailable")
        raise ServiceBusy() from None
    outcome = sms_limits.decoded(outcome)
    if outcome == "resend":
        raise ResendTooSoon(max(1, math.ceil(int(value) / 1000)))
    if outcome == "captcha":
        raise CaptchaRequired()
    if outcome in ("phone", "requester", "ip"):
        raise DailyLimitReached(who if outcome == "phone" else outcome, until_midnight)

    code = f"{secrets.randbelow(10 ** 6):06d}"
    try:
        deliver(code, max(1, round(cfg["SMS_CODE_TTL"] / 60)))
    except Exception:
        log.exception("code to %s not sent", masked)
        _undo(keys, token)
        raise SendFailed() from None

    try:
        pipe = get_redis().pipeline(transaction=True)
        code_key = sms_limits.key("code", purpose, address)
        pipe.delete(code_key)
        hashed = sms_limits.digest("code", purpose, address, code)
        pipe.hset(code_key, mapping={"h": hashed, "n": 0})
        pipe.pexpire(code_key, sms_limits.ms(cfg["SMS_CODE_TTL"]))
        pipe.execute()
    except redis.RedisError:
        log.exception("code to %s sent but not stored", masked)
        raise ServiceBusy() from None
    db.session.commit()
    log.info("code for %s sent to %s", purpose, masked)
    return SentCode(phone=address, expires_in=int(cfg["SMS_CODE_TTL"]),
                    resend_after=int(math.ceil(cfg["SMS_RESEND_SECONDS"])))


def verify_code(phone, purpose, code):
    """Accept the code once and return the normalised phone, or raise CodeRefused.

    A malformed entry (not 6 digits) is refused without counting as an attempt: it
    cannot be a guess. A wrong one counts; the ``SMS_MAX_ATTEMPTS``-th voids the code.
    """
    return check(normalize_phone(phone), purpose, code, mask_phone)


def check(address, purpose, code, mask):
    """verify_code for a normalised ``address`` (phone or e-mail)."""
    _check_purpose(purpose)
    code = unicodedata.normalize("NFKC", str(code or "")).strip()
    if not CODE_RE.match(code):
        raise MalformedCode()
    limit = _settings()["SMS_MAX_ATTEMPTS"]
    try:
        outcome, left = sms_limits.check(
            get_redis(), [sms_limits.key("code", purpose, address)],
            [sms_limits.digest("code", purpose, address, code), limit])
    except redis.RedisError:
        log.exception("sms code: redis unavailable")
        raise ServiceBusy() from None
    outcome, left = sms_limits.decoded(outcome), int(left)
    if outcome == "ok":
        return address
    if outcome == "missing":
        raise CodeMissing()
    if left <= 0:
        log.warning("code for %s to %s voided after %d wrong entries",
                    purpose, mask(address), limit)
        raise CodeVoided()
    raise WrongCode(left)


# -- internals --------------------------------------------------------------------

def _check_purpose(purpose):
    if purpose not in PURPOSES:
        raise ValueError(f"unknown sms code purpose {purpose!r}")


def _settings():
    return {name: current_app.config.get(name, default) for name, default in DEFAULTS.items()}


def _undo(keys, token):
    try:
        sms_limits.undo(get_redis(), keys, token)
    except redis.RedisError:
        log.exception("sms code: could not give back the throttle and daily counts")
