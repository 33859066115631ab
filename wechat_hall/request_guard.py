"""What any request may carry, checked once at the edge before any view (or the CSRF
check) reads it.

- **No control characters** in the path, the query, form fields (names, values, file
  names) or a JSON body: PostgreSQL refuses a NUL in text (psycopg2's "A string literal
  cannot contain NUL"), and no form of the hall takes a control character other than
  tab and line breaks in a text area. Werkzeug decodes percent-escapes that are not UTF-8
  to U+FFFD, so lone surrogates only arrive through JSON's ``\\ud800``: refused too.
- **A body size fitting the endpoint**: WeChat's pushes are a few kilobytes
  (``WECHAT_MAX_BODY_BYTES``), ordinary forms small (``HALL_MAX_FORM_BYTES``), and only the
  views marked with :func:`accepts_upload` (the kiosk photo, the Excel voting details)
  take up to ``MAX_CONTENT_LENGTH``. A declared length over the limit is refused before
  the body is read; a chunked one is read to one byte past the limit, with the same 413.

- **Ids in paths that a database can hold**: ``<int:…>`` matches only numbers up to
  2^63 − 1 (:class:`DatabaseInt`), so ``/h5/appointments/99999999999999999999`` is a 404
  instead of an overflow in SQLite or PostgreSQL.

Refusals carry their Chinese page (h5/errors reads ``hall_message``).
"""
import io
import re

from flask import current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.wsgi import get_content_length

# C0 controls and DEL, and UTF-16 surrogates (which psycopg2 cannot encode).
_IN_PATH = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# In fields, tab, line feed and carriage return are ordinary text (a textarea's lines).
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

UPLOAD = "upload"


class DatabaseInt(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded by the largest BIGINT (ids, page numbers)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app):
    """Before any route is added: every ``<int:…>`` of the app is a :class:`DatabaseInt`."""
    app.url_map.converters["int"] = DatabaseInt


class ControlCharacters(BadRequest):
    hall_message = ("请求有误", "提交的内容含有无法识别的控制字符，请删除后重新输入。")


class TooLarge(RequestEntityTooLarge):
    def __init__(self, limit):
        super().__init__()
        self.hall_message = ("内容过大", too_large_message(limit))


def too_large_message(limit):
    return f"提交的内容超过了本页面允许的大小（{_size(limit)}），请缩小后重试。"


def has_control_characters(text):
    """What :func:`check_request` refuses in a query or form field (the lean routes ask)."""
    return bool(_IN_TEXT.search(text))


def read_body(environ, limit):
    """A request's body from the WSGI environ, or None when it is over ``limit``: a
    declared length over it is refused before a byte is read; a chunked body (no length)
    is read to one byte past it. For the lean routes, which Flask never sees, and for
    :func:`check_request`'s chunked bodies."""
    stream = environ.get("wsgi.input") or io.BytesIO()
    length = get_content_length(environ)  # None when chunked
    if length is not None:
        return None if length > limit else stream.read(length)
    if not environ.get("wsgi.input_terminated"):
        return b""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def _size(limit):
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit // 1024} KB"


def accepts_upload(view):
    """Mark a view that takes a file: its requests may be as large as MAX_CONTENT_LENGTH
    (the view still checks the file's own limit and says so in its words)."""
    view.body_limit = UPLOAD
    return view


def wechat_push(view):
    """Mark the view WeChat pushes to: its bodies are kept to WECHAT_MAX_BODY_BYTES."""
    view.body_limit = "WECHAT_MAX_BODY_BYTES"
    return view


def body_limit():
    """The largest body the matched endpoint accepts, in bytes."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    marked = getattr(view, "body_limit", None)
    config = current_app.config
    if marked == UPLOAD:
        return config["MAX_CONTENT_LENGTH"]
    return config[marked or "HALL_MAX_FORM_BYTES"]


def check_request():
    """Refuse a request the hall must never see (400, 413); else set its size limit."""
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(limit)
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        _buffer_chunked(limit)
    if _IN_PATH.search(request.path):
        raise ControlCharacters()
    _check_fields(request.args)
    try:
        _check_body()
    except RequestEntityTooLarge:
        raise TooLarge(limit) from None
    except RecursionError:  # JSON nested deeper than Python parses
        raise BadRequest() from None


def _buffer_chunked(limit):
    """A chunked body (no Content-Length) is read here up to one byte over the limit:
    Werkzeug would cut it at the limit without a word, and the view would read half a
    push. Within the limit it is handed on as an ordinary body of known length."""
    body = read_body(request.environ, limit)
    if body is None:
        raise TooLarge(limit)
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request.environ.pop("wsgi.input_terminated")


def _check_body():
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        _check_fields(request.form)
        for name, upload in request.files.items(multi=True):
            _check_text(name)
            _check_text(upload.filename or "")
    elif request.is_json:
        _check_json(request.get_json(silent=True))


def _check_text(value):
    if _IN_TEXT.search(value):
        raise ControlCharacters()


def _check_fields(fields):
    for name, value in fields.items(multi=True):
        _check_text(name)
        _check_text(value)


def _check_json(value):
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_json(item)
    elif isinstance(value, list):
        for item in value:
            _check_json(item)


def init_app(app):
    """Run first among the before-request hooks: before Flask-WTF's CSRF check parses the
    form with no limit of the endpoint's own."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
