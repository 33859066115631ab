"""No account page answers 500, whatever a signed-in user in the middle of a flow sends."""
import re

import pytest

from tests.accounts.account_helpers import form_post, signed_up, signed_up_wechat


JUNK = [{}, {"phone": "\x00", "code": "💥" * 40, "password": "x" * 5000, "confirm": "y",
             "holder_type": "robot", "id_type": "'; drop", "id_number": "\ud7ff" * 3,
             "account": "A" * 300, "branch": "-1", "broker": "abc", "ymt": "999999",
             "card_number": "4" * 40, "bank_phone": "abc", "captcha": "", "agree": "maybe",
             "next": "//evil.example", "reason": "r" * 1000, "nickname": "<script>"}]


def _h5_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/h5/", "/staff/counter")):
            yield re.sub(r"<(?:\w+:)?[^>]+>", "zzz", rule.rule), rule.methods - {"HEAD", "OPTIONS"}


@pytest.mark.parametrize("channel", ["web", "wechat"])
def test_account_routes_survive_junk_mid_flow(app, client, registry, easy_captcha, channel):
    if channel == "wechat":
        signed_up_wechat(app, client, "13800000078", "o_junk")
    else:
        signed_up(app, client, "13800000077")
    form_post(client, "/h5/ymt/activate", {"holder_type": "individual",
                                           "id_type": "resident_id",
                                           "id_number": "310115197809072717"})
    app.config["WTF_CSRF_ENABLED"] = False  # let the junk reach the views
    failures = []
    for path, methods in _h5_routes(app):
        for method in methods:
            for data in JUNK:
                resp = client.open(path, method=method, data=data)
                if resp.status_code >= 500:
                    failures.append((method, path, resp.status_code))
    assert failures == []
