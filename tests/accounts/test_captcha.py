"""Graphic captcha (groundwork of ACC-1/2/7): one image, one guess."""
import pytest

from wechat_hall.services import captcha


def _answer(app, challenge_id):
    """Read the answer back the only way a test can: by trying the alphabet's HMACs."""
    import itertools
    with app.app_context():
        stored = app.extensions["redis"].get(f"captcha:{challenge_id}").decode()
        for combo in itertools.product(captcha.ALPHABET, repeat=captcha.LENGTH):
            guess = "".join(combo)
            if captcha._digest(challenge_id, guess) == stored:
                return guess
    raise AssertionError("no answer found")


@pytest.fixture
def challenge(app, monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "AB")  # keeps _answer's search tiny
    with app.app_context():
        return captcha.new_challenge()


def test_the_image_is_a_png(challenge):
    challenge_id, png = challenge
    assert png.startswith(b"\x89PNG") and len(png) > 500 and challenge_id


def test_the_right_answer_works_once_in_any_case(app, challenge):
    challenge_id, _ = challenge
    answer = _answer(app, challenge_id)
    with app.app_context():
        assert captcha.check(challenge_id, answer.lower())
        assert not captcha.check(challenge_id, answer)


def test_a_wrong_answer_uses_up_the_image(app, challenge):
    challenge_id, _ = challenge
    answer = _answer(app, challenge_id)
    with app.app_context():
        assert not captcha.check(challenge_id, "ZZZZ")
        assert not captcha.check(challenge_id, answer)


def test_unknown_or_junk_ids_fail_quietly(app):
    with app.app_context():
        for junk in (None, "", "x" * 100, "nope", 42):
            assert not captcha.check(junk, "ABCD")


def test_an_expired_challenge_fails(make_app, monkeypatch):
    import time
    monkeypatch.setattr(captcha, "ALPHABET", "AB")
    app = make_app(CAPTCHA_TTL=0.1)
    with app.app_context():
        challenge_id, _ = captcha.new_challenge()
    answer = _answer(app, challenge_id)
    time.sleep(0.2)
    with app.app_context():
        assert not captcha.check(challenge_id, answer)


def test_the_default_alphabet_has_no_look_alikes():
    assert not set("01OIL") & set(captcha.ALPHABET)
