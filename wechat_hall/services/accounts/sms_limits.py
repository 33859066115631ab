"""The SMS codes' state in Redis (sms_codes.py): keyed hashes for names and codes, and the
Lua scripts that move the counters.

The daily counts (issue 13 item 9): per phone and per requester (the WeChat openid, or
the browser session on the web hall) first; the client address's count is an abuse
brake — past ``SMS_DAILY_PER_IP`` a code is sent only with a solved graphic captcha, so
the many people behind one carrier NAT are slowed by a captcha, not refused — and only a
much higher ceiling (``SMS_DAILY_PER_IP_MAX``) refuses outright.

Only an HMAC (keyed with ``SECRET_KEY``) of a code is stored, and the phone numbers and IPs
in key names are HMACs too, so nothing personal sits in Redis. The resend throttle, the
daily caps and the attempts change inside Lua scripts, so two requests arriving together
cannot both slip under a limit, and a code is used once even by two simultaneous
submissions. Every key expires by itself. The caller passes the Redis connection.
"""
import hashlib
import hmac
import math
from datetime import timedelta

from flask import current_app

from wechat_hall import clock


def ms(seconds):
    """Milliseconds for PX (settings may be fractions of a second in tests)."""
    return max(1, int(float(seconds) * 1000))


def _secret():
    key = current_app.config["SECRET_KEY"]
    return key if isinstance(key, bytes) else str(key).encode()


def digest(*parts):
    message = "\x00".join(str(p) for p in parts).encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def key(kind, *parts):
    """A Redis key whose personal parts (phone, IP) are keyed hashes, not plain text."""
    return f"sms:{kind}:" + digest("key", kind, *parts)[:32]


def today():
    """The Asia/Shanghai date (yyyymmdd) and the whole seconds left in that day."""
    now = clock.utcnow()
    day = clock.to_local(now).date()
    midnight = clock.day_start(day + timedelta(days=1))
    return f"{day:%Y%m%d}", max(1, math.ceil((midnight - now).total_seconds()))


def decoded(value):
    return value.decode() if isinstance(value, bytes) else value


# KEYS: resend throttle, the phone's day count, the requester's (openid or session) day
# count, the client address's day count (an unused one is a key nobody writes)
# ARGV: token, resend ms, phone cap, requester cap, address brake, address ceiling, day
# count TTL seconds, requester counted (0/1), address counted (0/1), captcha solved (0/1)
_RESERVE = """
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then return {'phone', 0} end
if ARGV[8] == '1' and tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[4]) then
  return {'requester', 0}
end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return {'resend', left} end
if ARGV[9] == '1' then
  local ip_n = tonumber(redis.call('GET', KEYS[4]) or '0')
  if ip_n >= tonumber(ARGV[6]) then return {'ip', 0} end
  if ip_n >= tonumber(ARGV[5]) and ARGV[10] ~= '1' then return {'captcha', 0} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, 4 do
  if i == 2 or (i == 3 and ARGV[8] == '1') or (i == 4 and ARGV[9] == '1') then
    redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], ARGV[7])
  end
end
return {'ok', 0}
"""

# Give back what _RESERVE took, when the SMS could not be sent.
_UNDO = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
"""

# KEYS: the code; ARGV: HMAC of the entered code, attempts allowed. Comparing HMACs
# keyed with SECRET_KEY, so the comparison's timing tells nothing about the code.
_VERIFY = """
local stored = redis.call('HGET', KEYS[1], 'h')
if not stored then return {'missing', 0} end
if stored == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'ok', 0}
end
local left = tonumber(ARGV[2]) - redis.call('HINCRBY', KEYS[1], 'n', 1)
if left <= 0 then redis.call('DEL', KEYS[1]) end
return {'wrong', left}
"""


def _script(source):
    def run(redis, keys, args):
        return redis.eval(source, len(keys), *keys, *args)
    return run


_reserve = _script(_RESERVE)
_verify = _script(_VERIFY)


def reserve(redis, keys, args):
    """Take the resend throttle and one of each daily count, or say which limit holds:
    ``('ok', 0)``, ``('resend', ms left)``, ``('phone', 0)``, ``('requester', 0)``,
    ``('captcha', 0)`` (the address is past its brake: a solved captcha is needed) or
    ``('ip', 0)`` (past its ceiling)."""
    return _reserve(redis, keys, args)


def check(redis, keys, args):
    """Compare an entered code's HMAC once: ``('ok', 0)``, ``('missing', 0)`` or
    ``('wrong', attempts left)`` (the last wrong one deletes the code)."""
    return _verify(redis, keys, args)


def undo(redis, keys, token):
    """Give back what :func:`reserve` took (the SMS could not be sent). Raises RedisError."""
    _script(_UNDO)(redis, keys, [token])
