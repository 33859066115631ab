"""What the route fuzz sends: junk values (hypothesis strategies), the field names the
hall's forms use, and the forms a page offers (so junk can ride on an otherwise valid
form and reach the view's deeper checks)."""
import re
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
# What a stored or reflected value must never become on a page: live markup.
MARKERS = ("<script>fuzz()</script>", '"><img src=x onerror=fuzz()>',
           "<svg onload=fuzz()>")
LIVE_MARKUP = re.compile(r"<script>fuzz\(\)|<img src=x onerror=fuzz\(\)|<svg onload=fuzz\(\)")
# A Python object rendered where a value was meant (the 业务笔数 defect's kind).
PYTHON_REPR = re.compile(r"&lt;(?:built-in method|bound method|function) |<built-in method ")

SPECIALS = [
    "\x00", "S\x00H", "%00", "\x07\x1b", "-5", "-1", "0", "99999999999999999999",
    "-99999999999999999999", "1e999", "NaN", "inf", "3.14", "0x1f", "", " ", "x" * 5000,
    "'; drop table x;--", "' OR '1'='1", '"', "\\", "../../etc/passwd", "//evil.example",
    "javascript:alert(1)", "{{7*7}}", "${7*7}", "%s%n", "null", "true", "[]", "{}",
    "💥", "\ud7ff\ufffd", "𠀀" * 100, "２０２６－１２－０１", "2026-02-30", "2026-12-31",
    "9999-12-31", "0000-00-00", "13800000000", "1" * 40, "310115197809072717",
    "A312600024", "SH", "y", "on", *MARKERS,
]

# Unicode text from an alphabet of the troublesome kinds (ASCII punctuation, CJK inside
# and outside the BMP, emoji, zero-width and bidi controls, combining marks, full-width
# forms): as varied as st.characters() where it matters, and five times cheaper to draw.
# Control characters come from SPECIALS, so most junk passes the edge and reaches views.
ALPHABET = (list("aZ09 -_.,;:'\"<>/\\&%#?=+*()[]{}|~`!@$^") +
            list("中文证券账户预约龘𠀀😀\u200b\u202e\u0301\uff21\ufeff\u00a0é\u0130ß"))
_text = st.text(st.sampled_from(ALPHABET), max_size=30)
junk_text = st.one_of(
    st.sampled_from(SPECIALS),
    _text,
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20).map(str),
    st.sampled_from(MARKERS).flatmap(lambda m: _text.map(lambda t: t + m)),
    _text.map(lambda t: (t or "长") * 80),  # over-long
)
# JSON bodies also get the wrong types.
junk_json_value = st.one_of(junk_text, st.integers(), st.none(), st.booleans(),
                            st.lists(junk_text, max_size=3), st.floats(allow_nan=False))


def field_names():
    """Every field name a template of the hall names, and the arguments the views and
    Flask-Admin read: the vocabulary junk forms and queries are made of."""
    names = set()
    for folder in (ROOT / "h5" / "templates", ROOT / "wechat_hall" / "simulator"):
        for path in folder.rglob("*.html"):
            names.update(re.findall(r'name="([A-Za-z_][\w\-]*)"', path.read_text()))
    names.update(("page", "page_size", "sort", "desc", "search", "flt0_0", "flt1_1", "id",
                  "url", "next", "q", "office", "day", "date", "start", "end", "code",
                  "state", "account", "kind", "status", "openid", "rowid", "action",
                  "modal", "format", "ymt", "since", "after", "before", "conversation_id",
                  "queue", "text", "content", "msg_id", "limit", "offset", "year", "month"))
    names.discard("csrf_token")
    return sorted(names)


class _Forms(HTMLParser):
    """The forms of a page: action, method and the fields with their current values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method":
                          (a.get("method") or "get").upper(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and a.get("name") in self._form["fields"]:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], "")
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if "selected" in a or not fields[self._select]:
                fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms
