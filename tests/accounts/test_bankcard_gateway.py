"""BANKCARD_BACKEND=http (ACC-8 b) against a local gateway that speaks docs/BANKCARD.md."""
import pytest

from models import IdentityVerification
from tests.accounts.account_helpers import confirmed, csrf, last_code, send_code, signed_up
from tests.accounts.fake_bankcard_gateway import FakeGateway
from tests.accounts.test_activation import LI, step1
from wechat_hall import adapters
from wechat_hall.extensions import db

SECRET = "gateway-shared-secret-for-tests"
CARD = ("李明", "32010219900503153X", "6222021001234560156", "13912340153")


@pytest.fixture
def gateway():
    with FakeGateway(SECRET, {CARD[2]: (CARD[0], CARD[1], CARD[3])}) as fake:
        yield fake


@pytest.fixture
def app(make_app, gateway):
    return make_app(BANKCARD_BACKEND="http", BANKCARD_GATEWAY_URL=gateway.url,
                    BANKCARD_GATEWAY_SECRET=SECRET, BANKCARD_GATEWAY_TIMEOUT=1)


def _verify(app, *args):
    with app.app_context():
        return adapters.bankcard().verify(*args)


def test_the_page_activates_through_the_gateway_and_keeps_only_a_fingerprint(
        app, client, registry, easy_captcha, gateway):
    signed_up(app, client, "13800000011")
    step1(client, LI)
    token = csrf(client, "/h5/verify/bankcard")
    send_code(client, "/h5/verify/sms/bankcard", token, CARD[3])
    resp = confirmed(client, client.post("/h5/verify/bankcard", data={
        "csrf_token": token, "card_number": "6222 0210 0123 4560 156", "bank_phone": CARD[3],
        "code": last_code(app, CARD[3])}), "激活信息确认")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/ymt/done")
    headers, ask = gateway.requests[-1]
    assert ask["card_number"] == CARD[2] and ask["name"] == CARD[0]
    assert headers["X-Hall-Signature"] and headers["X-Hall-Client"] == "hall"
    with app.app_context():
        row = db.session.execute(db.select(IdentityVerification)).scalar_one()
        assert row.status == "verified" and len(row.card_fingerprint) == 16
        stored = " ".join(str(v) for v in vars(row).values())
        assert CARD[2] not in stored and CARD[2][-4:] not in row.card_fingerprint


def test_a_mismatch_is_the_gateways_no(app, gateway):
    result = _verify(app, "李四", CARD[1], CARD[2], CARD[3])
    assert not result.matched and result.reason == "银行卡信息与持卡人身份信息不一致"
    assert _verify(app, *CARD).matched


@pytest.mark.parametrize("mode", ["500", "slow", "forged", "other_request", "stale"])
def test_an_untrustworthy_answer_is_unavailable_never_a_match(app, gateway, mode):
    from wechat_hall.adapters.bankcard_gateway import BankCardUnavailable
    gateway.mode = mode
    with pytest.raises(BankCardUnavailable):
        _verify(app, *CARD)


def test_the_page_says_unavailable_when_the_gateway_is_down(
        app, client, registry, easy_captcha, gateway):
    gateway.mode = "500"
    signed_up(app, client, "13800000012")
    step1(client, LI)
    token = csrf(client, "/h5/verify/bankcard")
    send_code(client, "/h5/verify/sms/bankcard", token, CARD[3])
    page = client.post("/h5/verify/bankcard", data={
        "csrf_token": token, "card_number": CARD[2], "bank_phone": CARD[3],
        "code": last_code(app, CARD[3])}).get_data(as_text=True)
    assert "银联认证服务暂时不可用" in page
    with app.app_context():
        assert db.session.execute(db.select(IdentityVerification.status)).scalar() != "verified"


def test_a_wrong_secret_is_refused_by_the_gateway(make_app, gateway):
    app = make_app(BANKCARD_BACKEND="http", BANKCARD_GATEWAY_URL=gateway.url,
                   BANKCARD_GATEWAY_SECRET="not the gateway's")
    from wechat_hall.adapters.bankcard_gateway import BankCardUnavailable
    with pytest.raises(BankCardUnavailable):
        _verify(app, *CARD)
