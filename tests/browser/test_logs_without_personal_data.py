"""Structured logs keep no personal data (issue 17): the JSON lines the hall writes while a
person registers on the web hall, binds in WeChat, activates the 一码通, recovers the
password, chats with customer service and opens the queries are scanned for that person's
phone numbers, ID number, names and openid. The walk is the account flow of
``test_account_flows`` plus the chat and the query pages, with every record of the
process formatted as production formats it (``LOG_FORMAT=json``)."""
import io
import json
import logging

import pytest
from playwright.sync_api import expect

from tests.browser import test_account_flows as accounts
from wechat_hall.telemetry.logs import JsonFormatter

pytestmark = pytest.mark.browser

WANG_ID = "211103198603040003"
SECRETS = [accounts.PHONE, accounts.WANG_RESERVED, WANG_ID, "王安", "老王"]


@pytest.fixture
def json_log():
    """Every record of this process (the live server runs in it) as a JSON line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_full_walk_leaves_no_personal_data_in_the_logs(hall, demo_data, browser, phone,
                                                         artifact, json_log, monkeypatch):
    monkeypatch.setattr(accounts.captcha, "ALPHABET", "A")
    accounts.test_register_bind_activate_then_recover(hall, demo_data, browser, phone, artifact)
    # The chat (customer service) and the queries, as the activated user in WeChat.
    phone.type(f"我的证件号码是{WANG_ID}，手机{accounts.PHONE}，一码通怎么激活")
    phone.wait_for_reply()
    phone.tap_menu("业务办理", "证券查询")
    phone.wait_for_reply("证券持有余额")
    phone.open_link_in_reply("证券持有余额")
    expect(phone.web().locator("h1")).to_have_text("证券持有余额")
    hall.run_jobs()

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    requests = [x for x in lines if x.get("event") == "request"]
    assert len(requests) > 50 and all(x.get("request_id") for x in requests)
    assert {"wechat.receive", "accounts.login"} <= {x["endpoint"] for x in requests}
    text = json_log.getvalue()
    assert phone.openid and len(phone.openid) > 8
    for secret in [*SECRETS, phone.openid]:
        found = [x for x in lines if secret in json.dumps(x, ensure_ascii=False)]
        assert not found, (secret, found[:3])
    assert "138****0088" in text  # what the log says instead: the masked phone
