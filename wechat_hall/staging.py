"""The staging notice: every HTML page of a hall run with ``UNSAFE_STAGING_HOST`` says,
in its footer, that the simulator is on and nothing there is private (issue 13, item 11).

Added to the response rather than to each template, so that no page escapes it: the
hall's pages, the staff back office (Flask-Admin's own templates), the simulator's.
"""
from markupsafe import escape

NOTICE = ("<footer class=\"unsafe-staging\" role=\"contentinfo\" data-unsafe-staging=\"{host}\">"
          "<strong>预发布环境（{host}）：模拟器已开启</strong>，短信验证码、电子凭证与登录均可被"
          "任何人查看或冒用，不得用于真实投资者。</footer>")


def init_app(app):
    host = app.config.get("UNSAFE_STAGING_HOST") or ""
    if not host:
        return
    notice = NOTICE.format(host=escape(host)).encode()

    @app.after_request
    def add_staging_notice(response):
        if response.mimetype != "text/html" or response.direct_passthrough:
            return response
        body = response.get_data()
        at = body.rfind(b"</body>")
        response.set_data(body[:at] + notice + body[at:] if at >= 0 else body + notice)
        return response
