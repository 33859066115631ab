"""The OAuth2 return leg: check ``state``, trade the code once, remember the openid."""
import hmac

from flask import Blueprint, redirect, render_template, request, session

from wechat_hall.services import wechat_api

from .identity import NEXT, STATE, safe_next, sign_in_openid

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
        result = wechat_api.oauth_exchange(code)
    except wechat_api.WeChatRefused as exc:
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
