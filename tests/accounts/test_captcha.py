"""Graphic captcha (groundwork of ACC-1/2/7): one image, one guess."""
import pytest

from wechat_hall.services.accounts import captcha

from tests.waiting import gone, wait_until


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
    # The answer as it is made (reading it back from Redis races the 0.1 s expiry on a
    # busy machine).
    made = []
    digest = captcha._digest
    monkeypatch.setattr(captcha, "_digest",
                        lambda cid, answer: made.append(answer) or digest(cid, answer))
    app = make_app(CAPTCHA_TTL=0.1)
    with app.app_context():
        challenge_id, _ = captcha.new_challenge()
        ttl = app.extensions["redis"].pttl(captcha._key(challenge_id))
    assert ttl <= 100 and ttl != -1  # kept for 0.1 s at most (-2: gone already)
    answer = made[0]
    wait_until(gone(app, captcha._key(challenge_id)), what="the challenge to expire")
    with app.app_context():
        assert not captcha.check(challenge_id, answer)


def test_the_default_alphabet_has_no_look_alikes():
    assert not set("01OIL") & set(captcha.ALPHABET)
    # look-alikes of the drawn font left out too (issue 16), and the glyphs barely overlap
    assert not set("Z5SBUV6GMW") & set(captcha.ALPHABET)
    assert captcha._Drawer.word_offset_dx <= 0.05 and captcha._Drawer.character_rotate == (-12, 12)


def test_the_image_is_readable_size_and_has_its_own_alphabet(app):
    import io

    from PIL import Image
    with app.app_context():
        _, png = captcha.new_challenge()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (captcha.WIDTH, captcha.HEIGHT)
    assert len(captcha.ALPHABET) >= 20 and captcha.LENGTH == 4


def test_full_width_and_padded_answers_are_accepted(app, challenge):
    challenge_id, _ = challenge
    answer = _answer(app, challenge_id).lower()
    typed = " " + "".join(chr(ord(c) + 0xFEE0) for c in answer) + " "
    with app.app_context():
        assert captcha.check(challenge_id, typed)


def test_redis_keeps_only_a_hash_that_expires(app, challenge):
    challenge_id, _ = challenge
    answer = _answer(app, challenge_id)
    r = app.extensions["redis"]
    stored = r.get(f"captcha:{challenge_id}")
    assert answer.encode() not in stored and 0 < r.pttl(f"captcha:{challenge_id}") <= 300_000


# -- the image route and the views' helper (h5/captcha.py) ------------------------

@pytest.fixture
def web(app, monkeypatch):
    """The captcha blueprint, plus a stand-in form view that calls the helper."""
    from flask import jsonify, request

    from h5.accounts import captcha as h5_captcha

    monkeypatch.setattr(captcha, "ALPHABET", "AB")

    @app.get("/_test/captcha-check")
    def check_view():
        ok = h5_captcha.check_session_captcha(request.args["for"], request.args["answer"])
        return jsonify(ok=ok)

    return app.test_client()


def _session_challenge(web, form_key):
    with web.session_transaction() as session:
        return session.get(f"captcha:{form_key}")


def _check(web, form_key, answer):
    return web.get("/_test/captcha-check",
                   query_string={"for": form_key, "answer": answer}).get_json()["ok"]


def test_the_route_serves_an_uncached_png_and_remembers_the_form(app, web):
    res = web.get("/h5/captcha.png?for=login")
    assert res.status_code == 200 and res.mimetype == "image/png"
    assert res.data.startswith(b"\x89PNG")
    assert "no-store" in res.headers["Cache-Control"] and res.headers["Pragma"] == "no-cache"
    assert _session_challenge(web, "login")


@pytest.mark.parametrize("form_key", ["", "Login", "a b", "x" * 40, "../x"])
def test_the_route_wants_a_plain_form_key(web, form_key):
    assert web.get("/h5/captcha.png", query_string={"for": form_key}).status_code == 400


def test_the_helper_accepts_the_shown_answer_once(app, web):
    web.get("/h5/captcha.png?for=register")
    answer = _answer(app, _session_challenge(web, "register"))
    assert _check(web, "register", answer.lower())
    assert _session_challenge(web, "register") is None
    assert not _check(web, "register", answer)


def test_a_wrong_answer_needs_a_new_image(app, web):
    web.get("/h5/captcha.png?for=login")
    answer = _answer(app, _session_challenge(web, "login"))
    assert not _check(web, "login", "ZZZZ")
    assert not _check(web, "login", answer)


def test_each_form_has_its_own_image(app, web):
    web.get("/h5/captcha.png?for=login")
    web.get("/h5/captcha.png?for=recover")
    login = _answer(app, _session_challenge(web, "login"))
    recover = _answer(app, _session_challenge(web, "recover"))
    assert _check(web, "recover", recover) and _check(web, "login", login)


def test_a_reloaded_image_replaces_the_previous_one(app, web):
    web.get("/h5/captcha.png?for=login")
    first = _session_challenge(web, "login")
    web.get("/h5/captcha.png?for=login")
    second = _session_challenge(web, "login")
    assert first != second
    assert _check(web, "login", _answer(app, second))


def test_no_image_shown_means_no_pass(web):
    assert not _check(web, "login", "ABAB")
