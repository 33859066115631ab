"""SMS verification codes (groundwork of ACC-1/2/3/5/7/8): sent once, checked once."""
import re
from datetime import datetime

import pytest
import redis

from models import DevMessage
from wechat_hall.extensions import db
from wechat_hall.services.accounts import sms_codes as codes
from wechat_hall.services.accounts import sms_limits

from tests.waiting import gone, wait_until

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


def _key(app, kind, *parts):
    with app.app_context():
        return sms_limits.key(kind, *parts)


def _past_the_resend_throttle(app, phone=PHONE, purpose=codes.REGISTER):
    """Wait for the phone's resend throttle (a Redis key with a TTL) to run out."""
    wait_until(gone(app, _key(app, "resend", purpose, phone)), what="the resend throttle")


def test_a_code_is_sent_and_works_once(app):
    sent = _request(app, "+86 139 1234 5678")
    assert sent.phone == PHONE and sent.expires_in == 300 and sent.resend_after == 60
    code = _last_code(app)
    assert _verify(app, code) == PHONE
    with pytest.raises(codes.CodeMissing):
        _verify(app, code)


def test_the_sms_says_what_the_code_is_for(app):
    _request(app, purpose=codes.CHANGE_PHONE)
    with app.app_context():
        body = db.session.execute(db.select(DevMessage.body)).scalar_one()
    assert body.startswith("【中国结算】您的验证码为")
    assert "用于变更手机号，5分钟内有效。如非本人操作，请忽略。" in body


@pytest.mark.parametrize("typed", ["13912345678", "+8613912345678", "8613912345678",
                                   "0086 139 1234 5678", "+86 139-1234-5678",
                                   "１３９１２３４５６７８"])
def test_phone_numbers_are_normalised(typed):
    assert codes.normalize_phone(typed) == PHONE


def test_the_code_may_be_typed_with_spaces_or_full_width_digits(app):
    _request(app)
    code = _last_code(app)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert _verify(app, f" {full_width} ") == PHONE


def test_a_code_is_for_its_purpose_only(app):
    _request(app, purpose=codes.REGISTER)
    with pytest.raises(codes.CodeMissing):
        _verify(app, _last_code(app), purpose=codes.BIND)


def test_every_key_expires_by_itself(app):
    _request(app)
    r = app.extensions["redis"]
    keys = r.keys("sms:*")
    assert len(keys) == 4  # throttle, code, phone's and IP's day counts
    assert all(r.pttl(k) > 0 for k in keys)


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


def test_the_right_code_after_some_wrong_ones_still_works(app):
    _request(app)
    code = _last_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(codes.WrongCode):
            _verify(app, wrong)
    assert _verify(app, code) == PHONE


def test_a_malformed_entry_is_not_an_attempt(app):
    _request(app)
    for junk in ("12345", "abcdef", "", "1234567"):
        with pytest.raises(codes.MalformedCode):
            _verify(app, junk)
    assert _verify(app, _last_code(app)) == PHONE


def test_an_expired_code_is_refused(make_app):
    app = make_app(SMS_CODE_TTL=0.2)
    _request(app)
    key = _key(app, "code", codes.REGISTER, PHONE)
    ttl = app.extensions["redis"].pttl(key)
    assert ttl <= 200 and ttl != -1  # kept for 0.2 s at most (-2: gone already)
    wait_until(gone(app, key), what="the code to expire")
    with pytest.raises(codes.CodeMissing):
        _verify(app, _last_code(app))


def test_resend_within_the_throttle_says_how_long_to_wait(app):
    _request(app)
    with pytest.raises(codes.ResendTooSoon) as err:
        _request(app)
    assert 50 <= err.value.retry_after <= 60
    assert f"请{err.value.retry_after}秒后再试" in str(err.value)
    _request(app, purpose=codes.BIND)  # another purpose is its own throttle


def test_a_new_code_replaces_the_previous_one(make_app):
    app = make_app(SMS_RESEND_SECONDS=0.1)
    _request(app)
    first = _last_code(app)
    _past_the_resend_throttle(app)
    _request(app)
    second = _last_code(app)
    if first != second:
        with pytest.raises((codes.WrongCode, codes.CodeMissing)):
            _verify(app, first)
    assert _verify(app, second) == PHONE


def test_daily_cap_per_phone(make_app):
    app = make_app(SMS_RESEND_SECONDS=0.05, SMS_DAILY_PER_PHONE=2)
    for _ in range(2):
        _request(app)
        _past_the_resend_throttle(app)
    with pytest.raises(codes.DailyLimitReached) as err:
        _request(app)
    assert err.value.who == "phone" and "今日" in str(err.value)


def test_the_address_cap_is_a_brake_that_asks_for_a_captcha(make_app):
    app = make_app(SMS_DAILY_PER_IP=2, SMS_DAILY_PER_IP_MAX=3)
    _request(app, "13900000001")
    _request(app, "13900000002")
    with pytest.raises(codes.CaptchaRequired):
        _request(app, "13900000003")
    with app.test_request_context():  # with a solved captcha it goes out …
        codes.request_code("13900000003", codes.REGISTER, "10.0.0.1", captcha_solved=True)
    with pytest.raises(codes.DailyLimitReached) as err, app.test_request_context():
        codes.request_code("13900000004", codes.REGISTER, "10.0.0.1", captcha_solved=True)
    assert err.value.who == "ip"  # … up to the ceiling
    _request(app, "13900000004", ip="10.0.0.2")  # another network is its own count


def test_daily_cap_per_requester(make_app):
    app = make_app(SMS_DAILY_PER_REQUESTER=2)
    with app.test_request_context():
        for phone in ("13900000001", "13900000002"):
            codes.request_code(phone, codes.REGISTER, "10.0.0.1", requester="openid:o_a")
        with pytest.raises(codes.DailyLimitReached) as err:
            codes.request_code("13900000003", codes.REGISTER, "10.0.0.1", requester="openid:o_a")
        assert err.value.who == "requester" and "您今日" in str(err.value)
        codes.request_code("13900000003", codes.REGISTER, "10.0.0.1", requester="openid:o_b")


def test_the_day_is_the_shanghai_day(make_app):
    app = make_app(SMS_DAILY_PER_PHONE=1)
    app.config["CLOCK_NOW"] = datetime(2026, 3, 1, 15, 59, 50)  # UTC; 23:59:50 CST
    _request(app)
    with pytest.raises(codes.DailyLimitReached) as err:
        _request(app, purpose=codes.LOGIN)
    assert err.value.retry_after == 10  # until midnight in Shanghai
    app.config["CLOCK_NOW"] = datetime(2026, 3, 1, 16, 0, 10)  # UTC; 00:00:10 CST
    _request(app, purpose=codes.LOGIN)


def test_a_failed_sms_uses_up_nothing(make_app, monkeypatch):
    from wechat_hall.adapters.sms_gateway import DevSms, SmsFailed

    app = make_app(SMS_DAILY_PER_PHONE=1, SMS_DAILY_PER_IP=1)

    def broken(self, phone, text):
        raise SmsFailed("gateway down")

    monkeypatch.setattr(DevSms, "send", broken)
    with pytest.raises(codes.SendFailed) as err:
        _request(app)
    assert str(err.value) == "短信发送失败，请稍后再试。"
    r = app.extensions["redis"]
    assert [k for k in r.keys("sms:*") if r.get(k) not in (None, b"0")] == []
    with app.app_context():
        assert db.session.execute(db.select(DevMessage)).first() is None
    monkeypatch.undo()
    _request(app)  # neither the throttle nor the daily caps of one were taken
    assert _verify(app, _last_code(app)) == PHONE


def test_an_unexpected_adapter_error_is_a_failed_send_too(app, monkeypatch):
    from wechat_hall.adapters.sms_gateway import DevSms

    monkeypatch.setattr(DevSms, "send", lambda self, phone, text: 1 / 0)
    with pytest.raises(codes.SendFailed):
        _request(app)
    monkeypatch.undo()
    _request(app)


def test_redis_down_is_a_polite_refusal(app, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise redis.ConnectionError("Connection refused")
            return fail

    monkeypatch.setattr(codes, "get_redis", Down)
    with pytest.raises(codes.ServiceBusy):
        _request(app)
    with pytest.raises(codes.ServiceBusy):
        _verify(app, "123456")
    with app.app_context():
        assert db.session.execute(db.select(DevMessage)).first() is None  # nothing sent


def test_every_refusal_is_a_code_refused_with_a_message():
    for exc in (codes.InvalidPhone(), codes.ResendTooSoon(5), codes.DailyLimitReached("ip", 9), codes.CaptchaRequired(),
                codes.SendFailed(), codes.ServiceBusy(), codes.MalformedCode(),
                codes.CodeMissing(), codes.WrongCode(2), codes.CodeVoided()):
        assert isinstance(exc, codes.CodeRefused) and re.search(r"[\u4e00-\u9fff]", str(exc))


def test_unknown_purpose_is_a_programming_error(app):
    with app.app_context(), pytest.raises(ValueError):
        codes.request_code(PHONE, "teleport", "10.0.0.1")
