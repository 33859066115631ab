"""One error page style for every error; JSON for API-like paths."""
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回重试。"),
    403: ("无权访问", "您没有权限访问此页面。"),
    404: ("页面不存在", "您访问的页面不存在或已被移除。"),
    405: ("操作不允许", "请通过页面上的按钮操作。"),
    413: ("内容过大", "上传的内容超过了允许的大小。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统繁忙", "系统暂时无法处理您的请求，请稍后再试。"),
    503: ("服务暂不可用", "登录状态服务暂时无法访问，请稍后再试。您的资料不受影响。"),
}


def _wants_json():
    return request.path.startswith(("/sim/api", "/api")) or request.is_json or (
        request.accept_mimetypes.best == "application/json")


def register(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        title, message = getattr(exc, "hall_message", None) or MESSAGES.get(
            exc.code, (exc.name, exc.description))
        if exc.code == 400 and getattr(exc, "description", "").startswith("The CSRF"):
            title, message = "页面已过期", "页面已过期或来源不明，请刷新页面后重新提交。"
        if _wants_json():
            return jsonify(error=title, message=message), exc.code
        return render_template("error.html", title=title, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unexpected error on %s", request.path)
        from wechat_hall.extensions import db
        db.session.rollback()
        title, message = MESSAGES[500]
        if _wants_json():
            return jsonify(error=title, message=message), 500
        return render_template("error.html", title=title, message=message), 500
