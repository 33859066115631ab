"""The OAuth2 return leg: check ``state``, trade the code once, remember the openid."""
import hmac

from flask import Blueprint, redirect, render_template, request, session

from wechat_hall.services.wechat import api

from .identity import NEXT, STATE, current_openid, safe_next, sign_in_openid, start_oauth

bp = Blueprint("oauth", __name__, url_prefix="/h5/oauth")


@bp.get("/callback")
def callback():
    expected = session.pop(STATE, None)
    state = request.args.get("state", "")
    code = request.args.get("code", "")
    if not expected or not hmac.compare_digest(expected, state):
        return render_template("error.html", title="登录已失效",
                               message="授权请求已失效或不是由本页面发起，请从公众号菜单重新进入。"), 400
    if not code:
        return render_template("error.html", title="未授权",
                               message="您没有同意授权，无法识别微信身份。"), 400
    try:
        result = api.oauth_exchange(code)
    except api.WeChatRefused as exc:
        if exc.errcode in (40029, 40163):
            message = "授权码已使用或已过期，请从公众号菜单重新进入。"
        else:
            message = f"微信授权失败（{exc.errcode}），请稍后再试。"
        return render_template("error.html", title="授权失败", message=message), 400
    openid = result.get("openid")
    if not openid:
        return render_template("error.html", title="授权失败", message="微信未返回用户标识。"), 400
    target = session.get(NEXT)
    sign_in_openid(openid)
    return redirect(safe_next(target))


entry_bp = Blueprint("wechat_entry", __name__, url_prefix="/h5/wx")


@entry_bp.get("/", defaults={"rest": ""})
@entry_bp.get("/<path:rest>")
def enter(rest):
    """The door of every link inside WeChat (menus, chat replies): learn the openid
    through OAuth, then open ``/h5/<rest>``. The same pages opened without this door are
    the web hall."""
    target = "/h5/" + rest
    if request.query_string:
        target += "?" + request.query_string.decode("utf-8", "replace")
    target = safe_next(target)
    if current_openid():
        return redirect(target)
    return start_oauth(target)
