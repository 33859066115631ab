"""No request makes the server answer 500: every route, with junk, as anyone."""
import re

import pytest


def _paths(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "/static/" in rule.rule:
            continue
        path = re.sub(r"<(?:int:)?[^>]+>", "999999", rule.rule)
        yield path, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_survives_junk(app, client):
    failures = []
    junk = {"id": "'; drop table x;--", "page": "-1", "next": "//evil", "q": "\x00\ud800"[:1],
            "state": "x" * 500, "code": "💥"}
    for path, methods in _paths(app):
        for method in methods:
            for kwargs in ({}, {"query_string": junk},
                           {"data": b"\xff\xfe<xml>", "content_type": "text/xml"},
                           {"data": "{bad json", "content_type": "application/json"}):
                resp = client.open(path, method=method, **kwargs)
                if resp.status_code >= 500:
                    failures.append((method, path, kwargs.keys(), resp.status_code))
    assert failures == []


@pytest.mark.parametrize("role", [None, "admin"])
def test_every_get_route_as_anonymous_and_admin(app, client, role):
    if role:
        from tests.staff.staff_helpers import StaffBrowser, make_staff
        make_staff(app, "fuzzadmin", role, password="Fuzz@2026x")
        StaffBrowser(client).login("fuzzadmin", "Fuzz@2026x")
        assert client.get("/admin/").status_code == 200
    failures = [path for path, methods in _paths(app) if "GET" in methods
                and client.get(path).status_code >= 500]
    assert failures == []
