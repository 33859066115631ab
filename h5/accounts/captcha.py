"""The graphic captcha image of the web forms (ACC-1/2/7).

``<img src="{{ url_for('captcha.image', for='login') }}">`` puts a fresh challenge's id in
the session under that form's key; the form's view calls :func:`check_session_captcha`
(or :func:`web_captcha_ok`, which asks it of the web hall only).
Each form has its own key, so two forms open in two tabs do not spoil each other's
image. Clicking the image to reload it needs a cache-buster (``&t=…``) in the URL.
"""
import re

from flask import Blueprint, abort, make_response, request, session

from h5.identity import in_wechat
from wechat_hall.services.accounts import captcha

bp = Blueprint("captcha", __name__, url_prefix="/h5")

FORM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CAPTCHA_WRONG = "图形验证码错误，请重新输入"


def _session_key(form_key):
    return f"captcha:{form_key}"


@bp.get("/captcha.png")
def image():
    form_key = request.args.get("for", "")
    if not FORM_KEY_RE.match(form_key):
        abort(400)
    try:
        challenge_id, png = captcha.new_challenge()
    except captcha.Unavailable as exc:
        # An <img> shows no text: the page's script says it beside the image (the 503).
        response = make_response(str(exc), 503)
        response.mimetype = "text/plain"
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    session[_session_key(form_key)] = challenge_id
    response = make_response(png)
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
    response.headers["Pragma"] = "no-cache"
    response.headers["Expires"] = "0"
    return response


def check_session_captcha(form_key, answer):
    """True if ``answer`` matches the image last shown for this form; usable once.

    The challenge leaves the session whatever the answer: a wrong guess needs a new image.
    Raises ``captcha.Unavailable`` while its store is down.
    """
    challenge_id = session.pop(_session_key(form_key), None)
    return bool(challenge_id) and captcha.check(challenge_id, answer)


def web_captcha_ok(form, key):
    """Web hall only: the captcha of ``key``; a wrong one is put on the form's field."""
    if in_wechat():
        return True
    return captcha_field_ok(form, key)


def captcha_field_ok(form, key):
    """The captcha of ``key`` in both channels; a wrong one, or a captcha that cannot be
    checked now, is put on the form's field."""
    try:
        if check_session_captcha(key, form.captcha.data):
            return True
        message = CAPTCHA_WRONG
    except captcha.Unavailable as exc:
        message = str(exc)
    form.captcha.errors = list(form.captcha.errors) + [message]
    return False
