"""Server-side sessions in Redis (Flask-Session): the cookie holds a random id, nothing else.

Why server-side (docs/SECURITY.md, sessions): a signed cookie cannot be taken back — a
copy made before 退出登录 kept working for 31 days — and it carried the appointment draft's
ID number in readable form. Here the cookie is an opaque id; the data lives under
``session:<id>`` in the Redis every process shares, so deleting the key ends the session
for every gunicorn worker at once.

- **Idle timeout** (``SESSION_IDLE_MINUTES``, 30): the key's TTL, renewed by the read of
  each request (``GETEX``: the read and the renewal are one round trip).
- **Absolute timeout** (``HALL_SESSION_HOURS`` 12, ``STAFF_SESSION_HOURS`` 8): the time a
  session was started (``_born``) is stored in it; an older session is dropped on read.
- **Renewal** (:func:`renew`): signing in, out, or as another WeChat user starts a new id
  and deletes the old key (no fixation, no copied cookie outliving the change).
- **Revocation** (:func:`track`, :func:`revoke_all`): each signed-in session id is listed
  under its owner (``session:of:hall:<id>``, ``session:of:staff:<id>``); a password
  change, unbinding, deregistration or a staff password reset deletes them all.
- **Redis down**: a request that needs its session gets the 503 page (服务暂不可用), never
  a 500; pages without a session cookie (and /wechat, /healthz) go on.

The cookie is a browser-session cookie (no ``Expires``): it ends with the browser, and the
server's TTL ends it sooner.
"""
import logging
import time
from datetime import timedelta

from flask import abort, current_app, request
from flask.json.tag import TaggedJSONSerializer
from flask_session.base import Serializer
from flask_session.redis import RedisSession, RedisSessionInterface
from redis.exceptions import RedisError
from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

PREFIX = "session:"
BORN = "_born"
_META = {"_permanent", BORN}
# Requests that never need a session: they answer even while Redis is down.
NO_SESSION_ENDPOINTS = {"static", "health.healthz", "wechat.verify", "wechat.receive"}


class HallSession(RedisSession):
    """A session; ``unavailable`` when Redis could not be read for it."""

    unavailable = False

    def __bool__(self):
        return bool(set(self.keys()) - _META)


class _TaggedJSON(Serializer):
    """Flask's own session format (datetimes, tuples, bytes … round-trip as they did in
    the cookie), stored as UTF-8 JSON."""

    def __init__(self):
        self._tagged = TaggedJSONSerializer()

    def encode(self, session):
        return self._tagged.dumps(dict(session)).encode()

    def decode(self, serialized_data):
        return self._tagged.loads(serialized_data)


def _owner(data):
    """``staff:<id>`` (Flask-Login), ``hall:<id>`` (phone + password), or None."""
    staff = data.get("_user_id")
    if staff:
        return staff
    issuer = data.get("issuer_contact_id")
    if issuer is not None:
        return f"issuer:{issuer}"
    hall = data.get("hall_user_id")
    return f"hall:{hall}" if hall is not None else None


def _absolute_limit(app, data):
    owner = _owner(data) or ""
    hours = app.config["STAFF_SESSION_HOURS" if owner.startswith(("staff:", "issuer:"))
                       else "HALL_SESSION_HOURS"]
    return hours * 3600


class HallSessionInterface(RedisSessionInterface):
    session_class = HallSession

    def __init__(self, app):
        super().__init__(app, client=app.extensions["redis"], key_prefix=PREFIX,
                         permanent=False, sid_length=32)
        self.serializer = _TaggedJSON()

    # The connection of app.extensions (tests replace it to simulate an outage).
    @property
    def client(self):
        return current_app.extensions["redis"]

    @client.setter
    def client(self, value):
        pass

    def _retrieve_session_data(self, store_id):
        ttl = int(current_app.permanent_session_lifetime.total_seconds())
        data = self.client.getex(store_id, ex=ttl)
        return self.serializer.decode(data) if data else None

    def open_session(self, app, request):
        try:
            session = super().open_session(app, request)
        except RedisError as exc:
            log.error("session store unavailable: %s", exc)
            session = self.session_class(sid=self._generate_sid(self.sid_length))
            session.unavailable = True
            return session
        born = session.get(BORN)
        if born is not None and time.time() - born > _absolute_limit(app, session):
            self._delete_quietly(session.sid)
            session = self.session_class(sid=self._generate_sid(self.sid_length))
            born = None
        if born is None:
            dict.__setitem__(session, BORN, time.time())  # stored with the first change
        session.modified = session.accessed = False
        return session

    def save_session(self, app, session, response):
        if session.unavailable:
            return
        try:
            super().save_session(app, session, response)
        except RedisError as exc:
            log.error("session not saved: %s", exc)
            _turn_into_503(app, response)

    def _delete_quietly(self, sid):
        try:
            self.client.delete(self._get_store_id(sid))
        except RedisError as exc:
            log.warning("could not delete session: %s", exc)

    def renew(self, session):
        """A new id for this session; the old one is deleted."""
        if session.sid and not session.unavailable:
            self.client.delete(self._get_store_id(session.sid))
        session.sid = self._generate_sid(self.sid_length)
        dict.__setitem__(session, BORN, time.time())
        session.modified = True


def _turn_into_503(app, response):
    page = app.make_response(app.handle_http_exception(ServiceUnavailable()))
    response.status_code = 503
    response.set_data(page.get_data())
    response.headers["Content-Type"] = page.headers["Content-Type"]
    response.headers.pop("Location", None)
    response.headers.pop("Set-Cookie", None)


def _refuse_without_store():
    from flask import session
    if getattr(session, "unavailable", False) and request.endpoint not in NO_SESSION_ENDPOINTS:
        abort(503)


def init_app(app):
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.session_interface = HallSessionInterface(app)
    # First of the before-request hooks: CSRFProtect's check would read the empty session
    # and call the page expired (400) when the truth is that the store is down.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_without_store)
    # Redis failing inside a view (signing in, revoking): the 503 page, not a 500.
    app.register_error_handler(
        RedisError, lambda exc: app.handle_http_exception(ServiceUnavailable()))


# -- starting, listing and revoking sessions ---------------------------------------------

def renew(session):
    """Start a new session id (sign-in, sign-out, another WeChat user)."""
    real = getattr(session, "_get_current_object", None)
    current_app.session_interface.renew(real() if real else session)


def _index(owner):
    return f"{PREFIX}of:{owner}"


def track(session, owner):
    """List the session under its owner so :func:`revoke_all` can end it from anywhere."""
    key = _index(owner)
    pipe = current_app.extensions["redis"].pipeline(transaction=False)
    pipe.sadd(key, session.sid)
    pipe.expire(key, max(current_app.config["HALL_SESSION_HOURS"],
                         current_app.config["STAFF_SESSION_HOURS"]) * 3600)
    pipe.execute()


def revoke_all(owner):
    """End every session of ``owner`` (``hall:<id>`` or ``staff:<id>``) for every process."""
    r = current_app.extensions["redis"]
    key = _index(owner)
    sids = [s.decode() for s in r.smembers(key)]
    r.delete(key, *[PREFIX + sid for sid in sids])
    log.info("revoked %d sessions of %s", len(sids), owner.split(":")[0])
    return len(sids)
