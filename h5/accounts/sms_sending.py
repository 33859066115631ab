"""获取验证码 for every page that sends an SMS code: who asks, and the captcha step-up.

The daily caps count per phone and per requester first — the WeChat openid inside WeChat,
else this browser session — and the client address only as an abuse brake (issue 13
item 9): past it the answer asks for the graphic captcha (``captcha`` in the JSON is the
image's URL), and the button's next press sends the typed characters along.
"""
import secrets

from flask import jsonify, request, session, url_for

from h5.identity import current_openid
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import captcha, sms_codes

from .captcha import check_session_captcha

CAPTCHA_KEY = "sms"  # the captcha image's form key (captcha.image?for=sms)
REQUESTER = "sms_requester"


def requester():
    """Who asks for the code: the openid, or a random id kept in this session."""
    openid = current_openid()
    if openid:
        return f"openid:{openid}"
    if not session.get(REQUESTER):
        session[REQUESTER] = secrets.token_urlsafe(12)
    return f"session:{session[REQUESTER]}"


def send(phone, purpose):
    """Send the code (sms_codes.request_code) with the requester and, when the page sent
    one, the graphic captcha's answer checked first (one image, one guess)."""
    return sms_codes.request_code(phone, purpose, request.remote_addr,
                                  requester=requester(), captcha_solved=captcha_solved())


def captcha_solved():
    """Whether the button sent the graphic captcha along, solved (the address's brake);
    a wrong answer raises CaptchaRequired(wrong=True)."""
    answer = request.form.get("captcha")
    if answer is None:
        return False
    try:
        solved = check_session_captcha(CAPTCHA_KEY, answer)
    except captcha.Unavailable as exc:
        raise sms_codes.CodeRefused(str(exc)) from None
    if not solved:
        raise sms_codes.CaptchaRequired(wrong=True)
    return True


def sent(code, message=None):
    return jsonify(ok=True, message=message or f"验证码已发送至{mask_phone(code.phone)}",
                   resend_after=code.resend_after)


def refused(exc):
    """The JSON answer of a refusal; CaptchaRequired adds the captcha image's URL."""
    body = {"ok": False, "message": str(exc), "retry_after": getattr(exc, "retry_after", None)}
    if isinstance(exc, sms_codes.CaptchaRequired):
        body["captcha"] = url_for("captcha.image", **{"for": CAPTCHA_KEY})
    return jsonify(body), 400
