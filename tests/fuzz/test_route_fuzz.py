"""Route fuzz (hypothesis): every rule of the URL map, every method it takes, in every
kind of session — anonymous, a WeChat user, a web-hall user, each staff role — with junk
in the path arguments, the query and the body (a form, multipart or JSON: NUL and other
control characters, over-long text, wrong types, negative and huge numbers, HTML and SQL
strings, unicode). Non-GET requests carry the session's valid CSRF token, and where a
page of the sweep offered a form for the route, the junk rides on that form's own
fields, so it reaches the view's checks rather than stopping at the door.

It asserts: no answer is a 5xx; no page shows live markup the fuzz sent (at once, or
stored and shown later: every page that opened is read again at the end); no page renders a
Python object where a value was meant (``<built-in method items …>``).

``HALL_FUZZ_EXAMPLES`` (default 2) sets the examples per route, method and session kind;
writes get one more. The suite's two passes make ≥ 10,000 junk cases together; the count
is printed in the closing summary (tests/fuzz/conftest.py).
"""
import os
import re
import time
from collections import Counter
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from tests import seeding
from tests.fuzz.junk import (
    LIVE_MARKUP,
    PYTHON_REPR,
    field_names,
    forms_of,
    junk_json_value,
    junk_text,
)
from tests.test_no_500 import OWN_PAGE, PATH_VALUES, SIGN_OFFS, USERS, _csrf_token

# Examples per route, method and session kind: reads, and writes (where junk is stored).
EXAMPLES = int(os.environ.get("HALL_FUZZ_EXAMPLES", "2"))
WRITE_EXAMPLES = EXAMPLES + 1


def _settings(examples):
    return settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))
NAMES = field_names()
TALLY = Counter()


def summary():
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(
        (code, n) for code, n in TALLY.items() if isinstance(code, int)))
    junk = TALLY["cases"] - TALLY["page reads"]
    return (f"{junk} junk cases ({TALLY['on a form']} on a page's form) over "
            f"{TALLY['routes']} route × method × session runs ({EXAMPLES} examples a read, "
            f"{WRITE_EXAMPLES} a write), and {TALLY['page reads']} plain page reads, in "
            f"{TALLY['seconds']:.0f} s ({TALLY['cpu seconds']:.0f} s of CPU); {TALLY['5xx']} × 5xx; statuses {statuses}")


def _rules(app):
    """(rule, method) of every route, GETs first (their forms feed the POSTs), the
    sign-offs last."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules()
             if not (rule.endpoint.endswith("static") or "/static/" in rule.rule)
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(pairs, key=lambda p: (p[0].rule.endswith(SIGN_OFFS), p[1] != "GET",
                                        p[0].rule, p[1]))


def _demo_value(rule, name):
    converter = type(rule._converters[name]).__name__
    return "1" if converter == "IntegerConverter" else PATH_VALUES.get(name, "1")


def _path(rule, values):
    def fill(match):
        name = match.group(2)
        safe = "/" if type(rule._converters[name]).__name__ == "PathConverter" else ""
        return quote(values[name], safe=safe)
    return re.sub(r"<(\w+(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def _path_value(rule, name):
    return st.one_of(st.just(_demo_value(rule, name)), junk_text,
                     st.integers(min_value=-5, max_value=10 ** 20).map(str))


class Sweep:
    """One session kind's sweep: sends, checks, remembers the forms pages offer."""

    def __init__(self, app, who):
        self.app, self.who = app, who
        self.client = app.test_client()
        USERS[who](app, self.client)
        self.token = _csrf_token(app, self.client)
        self.cookie = self.client.get_cookie("session").value
        self.adapter = app.url_map.bind("hall.test")
        self.forms = {}  # (endpoint, method) → [(path, fields)]
        self.failures = []
        self.lost_at = None  # the write after which the user's session was gone

    def send(self, method, path, query=None, body=None, kind="form"):
        self.client.set_cookie("session", self.cookie)  # the user's own session again
        TALLY["cases"] += 1
        if method == "GET":
            resp = self.client.get(path, query_string=query)
        else:
            body = {**(body or {}), "csrf_token": self.token}
            extra = {"json": body} if kind == "json" else {"data": body}
            if kind == "multipart":
                extra["data"] = {**body, "file": (b"\x00junk", "a\x00.xlsx")}
            resp = self.client.open(path, method=method, query_string=query,
                                    headers={"X-CSRFToken": self.token}, **extra)
        self.check(method, path, query, body, resp)
        self._follow_session(resp)
        if method != "GET" and self.lost_at is None and not self._signed_in_with(self.cookie):
            self.lost_at = (method, path, query, resp.status_code)
        return resp

    def _follow_session(self, resp):
        """Sessions are server-side: signing in (the OAuth door, a login) gives the browser
        a new session id and deletes the old one. The sweep keeps a new cookie when it is
        still this user's session, as a browser would, and otherwise goes on with its own."""
        fresh = [header.partition("=")[2].split(";", 1)[0]
                 for header in resp.headers.getlist("Set-Cookie")
                 if header.startswith("session=")]
        if not fresh or not fresh[-1] or fresh[-1] == self.cookie:
            return
        if self._signed_in_with(fresh[-1]):
            self.cookie = fresh[-1]

    def _signed_in_with(self, cookie):
        own_page, status = OWN_PAGE[self.who]
        self.client.set_cookie("session", cookie)
        return self.client.get(own_page).status_code == status

    def check(self, method, path, query, body, resp):
        where = (self.who, method, path, query, body and {k: v[:80] if isinstance(v, str)
                                                         else v for k, v in body.items()})
        TALLY[resp.status_code] += 1
        if resp.status_code >= 500:
            TALLY["5xx"] += 1
            self.failures.append(("5xx", resp.status_code, *where))
        if resp.mimetype != "text/html":
            return
        html = resp.get_data(as_text=True)
        if LIVE_MARKUP.search(html):
            self.failures.append(("live markup", resp.status_code, *where))
        if PYTHON_REPR.search(html):
            self.failures.append(("python object on the page", resp.status_code, *where))
        if resp.status_code == 200:
            self.learn_forms(path, html)

    def learn_forms(self, page, html):
        for form in forms_of(html):
            action = urlsplit(form["action"] or page).path or page
            try:
                endpoint, _ = self.adapter.match(action, method=form["method"])
            except HTTPException:
                continue
            known = self.forms.setdefault((endpoint, form["method"]), [])
            if len(known) < 5 and (action, form["fields"]) not in known:
                known.append((action, form["fields"]))

    def fuzz(self, rule, method):
        """``EXAMPLES`` junk requests to one route and method."""
        TALLY["routes"] += 1
        known = list(self.forms.get((rule.endpoint, method), []))  # fixed for the run

        @_settings(EXAMPLES if method == "GET" else WRITE_EXAMPLES)
        @given(st.data())
        def case(data):
            values = {name: data.draw(_path_value(rule, name), label=name)
                      for name in sorted(rule._converters)}
            path = _path(rule, values)
            fields = {}
            if known and data.draw(st.booleans(), label="on a form of the hall"):
                action, fields = data.draw(st.sampled_from(known), label="form")
                TALLY["on a form"] += 1
                if data.draw(st.booleans(), label="the form's own address"):
                    path = action
            junk = data.draw(st.dictionaries(st.sampled_from(sorted(set(NAMES) | set(fields))),
                                             junk_text, max_size=4), label="junk")
            if method == "GET":
                self.send("GET", path, query={**fields, **junk})
                return
            query = data.draw(st.dictionaries(st.sampled_from(NAMES), junk_text, max_size=1),
                              label="query")
            kind = data.draw(st.sampled_from(["form", "form", "multipart", "json"]),
                             label="body")
            body = {**fields, **junk}
            if kind == "json":
                body.update(data.draw(st.dictionaries(st.sampled_from(NAMES), junk_json_value,
                                                      max_size=3), label="typed"))
            self.send(method, path, query=query, body=body, kind=kind)

        case()

    def tour(self, rules):
        """Every GET page with its demo arguments, before the junk: the forms they offer
        are what the junk rides on. Returns the pages that opened."""
        opened = []
        for rule, method in rules:
            if method == "GET" and not rule.rule.endswith(SIGN_OFFS):
                TALLY["page reads"] += 1
                values = {name: _demo_value(rule, name) for name in rule._converters}
                path = _path(rule, values)
                if self.send("GET", path).status_code == 200:
                    opened.append(path)
        return opened

    def replay(self, pages):
        """The pages that opened, once more after the junk: what it stored must show as
        text."""
        for path in pages:
            TALLY["page reads"] += 1
            self.send("GET", path)

    def still_signed_in(self):
        own_page, status = OWN_PAGE[self.who]
        self.client.set_cookie("session", self.cookie)
        return self.client.get(own_page).status_code == status


@pytest.mark.parametrize("who", list(USERS))
def test_every_route_with_junk_in_every_session(app, who):
    seeding.load(app, "demo")
    started, cpu = time.monotonic(), time.process_time()
    sweep = Sweep(app, who)
    assert sweep.still_signed_in()
    rules = _rules(app)
    sign_offs = [r for r in rules if r[0].rule.endswith(SIGN_OFFS)]
    pages = sweep.tour(rules)
    for rule, method in rules:
        if (rule, method) not in sign_offs:
            sweep.fuzz(rule, method)
    sweep.replay(pages)
    assert sweep.lost_at is None and sweep.still_signed_in(), (
        "the sweep lost the user", sweep.lost_at)
    for rule, method in sign_offs:
        sweep.fuzz(rule, method)
    TALLY["seconds"] += time.monotonic() - started
    TALLY["cpu seconds"] += time.process_time() - cpu
    assert sweep.failures == []
