"""SMS verification codes (groundwork of ACC-1/2/3/5/7/8): sent once, checked once."""
import re

import pytest

from models import DevMessage
from wechat_hall.extensions import db
from wechat_hall.services import sms_codes as codes

PHONE = "13912345678"


def _last_code(app, phone=PHONE):
    with app.app_context():
        row = db.session.execute(db.select(DevMessage).filter_by(recipient=phone)
                                 .order_by(DevMessage.id.desc())).scalars().first()
        return re.search(r"验证码为(\d{6})", row.body).group(1)


def _request(app, phone=PHONE, purpose=codes.REGISTER, ip="10.0.0.1"):
    with app.app_context():
        return codes.request_code(phone, purpose, ip)


def _verify(app, code, phone=PHONE, purpose=codes.REGISTER):
    with app.app_context():
        return codes.verify_code(phone, purpose, code)


def test_a_code_is_sent_and_works_once(app):
    sent = _request(app, "+86 139 1234 5678")
    assert sent.phone == PHONE and sent.expires_in == 300 and sent.resend_after == 60
    code = _last_code(app)
    assert _verify(app, code) == PHONE
    with pytest.raises(codes.CodeMissing):
        _verify(app, code)


def test_a_code_is_for_its_purpose_only(app):
    _request(app, purpose=codes.REGISTER)
    with pytest.raises(codes.CodeMissing):
        _verify(app, _last_code(app), purpose=codes.BIND)


def test_redis_keeps_neither_the_code_nor_the_phone(app):
    _request(app)
    code = _last_code(app)
    r = app.extensions["redis"]
    dump = b" ".join(k + b" " + b" ".join(
        (r.hgetall(k) or {}).values() if r.type(k) == b"hash" else [r.get(k) or b""])
        for k in r.keys("sms:*"))
    assert code.encode() not in dump and PHONE.encode() not in dump


@pytest.mark.parametrize("phone", ["12345678901", "1391234567", "139123456789", "abc", "",
                                   "+1 13912345678", "10912345678"])
def test_bad_phone_numbers_are_refused(app, phone):
    with pytest.raises(codes.InvalidPhone):
        _request(app, phone)


def test_a_wrong_code_counts_and_the_fifth_voids_it(app):
    _request(app)
    code = _last_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(codes.WrongCode) as err:
            _verify(app, wrong)
        assert err.value.attempts_left == left and f"还可输入{left}次" in str(err.value)
    with pytest.raises(codes.CodeVoided):
        _verify(app, wrong)
    with pytest.raises(codes.CodeMissing):
        _verify(app, code)


def test_a_malformed_entry_is_not_an_attempt(app):
    _request(app)
    for junk in ("12345", "abcdef", "", "1234567"):
        with pytest.raises(codes.MalformedCode):
            _verify(app, junk)
    assert _verify(app, _last_code(app)) == PHONE


def test_an_expired_code_is_refused(make_app):
    import time
    app = make_app(SMS_CODE_TTL=0.2)
    _request(app)
    time.sleep(0.35)
    with pytest.raises(codes.CodeMissing):
        _verify(app, _last_code(app))


def test_resend_within_the_throttle_says_how_long_to_wait(app):
    _request(app)
    with pytest.raises(codes.ResendTooSoon) as err:
        _request(app)
    assert 1 <= err.value.retry_after <= 60 and "秒后再试" in str(err.value)
    _request(app, purpose=codes.BIND)  # another purpose is its own throttle


def test_a_new_code_replaces_the_previous_one(make_app):
    import time
    app = make_app(SMS_RESEND_SECONDS=0.1)
    _request(app)
    first = _last_code(app)
    time.sleep(0.15)
    _request(app)
    second = _last_code(app)
    if first != second:
        with pytest.raises((codes.WrongCode, codes.CodeMissing)):
            _verify(app, first)
    assert _verify(app, second) == PHONE


def test_daily_cap_per_phone(make_app):
    import time
    app = make_app(SMS_RESEND_SECONDS=0.05, SMS_DAILY_PER_PHONE=2)
    for _ in range(2):
        _request(app)
        time.sleep(0.08)
    with pytest.raises(codes.DailyLimitReached) as err:
        _request(app)
    assert err.value.who == "phone" and "今日" in str(err.value)


def test_daily_cap_per_ip(make_app):
    app = make_app(SMS_DAILY_PER_IP=2)
    _request(app, "13900000001")
    _request(app, "13900000002")
    with pytest.raises(codes.DailyLimitReached) as err:
        _request(app, "13900000003")
    assert err.value.who == "ip"
    _request(app, "13900000003", ip="10.0.0.2")  # another network is its own count


def test_a_failed_sms_uses_up_nothing(app, monkeypatch):
    from wechat_hall.adapters.sms_gateway import DevSms

    def broken(self, phone, text):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(DevSms, "send", broken)
    with pytest.raises(codes.SendFailed):
        _request(app)
    monkeypatch.undo()
    _request(app)  # no throttle was taken
    assert _verify(app, _last_code(app)) == PHONE


def test_unknown_purpose_is_a_programming_error(app):
    with app.app_context(), pytest.raises(ValueError):
        codes.request_code(PHONE, "teleport", "10.0.0.1")
