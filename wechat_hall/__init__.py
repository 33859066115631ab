"""微信营业厅: the Flask application factory.

``create_app`` calls named steps, in the manner of cookiecutter-flask, so a reader sees
at once what the application is made of.
"""
from flask import Flask

from . import redis_store
from .config import INSTANCE, ROOT, Config
from .extensions import csrf, db, login_manager, migrate


def create_app(test_config=None):
    app = Flask(__name__, instance_path=str(INSTANCE),
                template_folder=str(ROOT / "h5" / "templates"),
                static_folder=str(ROOT / "h5" / "static"), static_url_path="/static")
    app.config.update(Config().as_dict())
    if test_config:
        app.config.update(test_config)
    configure_logging(app)
    register_telemetry(app)
    register_extensions(app)
    register_jobs(app)
    register_converters(app)
    register_blueprints(app)
    register_request_guard(app)
    register_rate_limits(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_staging_notice(app)
    register_sessionless_paths(app)
    register_static_files(app)
    register_lean_routes(app)
    configure_proxies(app)
    return app


def configure_logging(app):
    """LOG_FORMAT=json: one JSON line per record (production's default), else text."""
    if not app.debug and not app.testing:
        from .telemetry import logs
        logs.configure(app.config["LOG_FORMAT"])


def register_telemetry(app):
    """A request id, a log line and the request counters for every request (/metrics)."""
    from .telemetry import web
    web.init_app(app)


def configure_proxies(app):
    """Last, so outermost (the lean routes see the client's address too): behind nginx
    (or any proxy) the client's address is in X-Forwarded-For: trust as many hops as
    TRUSTED_PROXIES says, so the per-IP SMS cap counts people, not the proxy."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app):
    import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    redis_store.init_app(app)
    from . import sessions
    sessions.init_app(app)
    from .jobs import queue
    queue.init_app(app)
    from .services.wechat import api
    api.init_app(app)
    from . import auth_loader  # noqa: F401  (user loader for Flask-Login)
    from . import headers as security_headers
    security_headers.init_app(app)


def register_jobs(app):
    """Import every module that defines a ``@job`` or ``@periodic``, as blueprints are
    registered: the web process, ``flask jobs worker`` and the scheduler all build the app
    here, so each knows every job by name, and ``jobs/`` never imports a service."""
    from .jobs import builtin  # noqa: F401
    from .services.accounts import trade_feed  # noqa: F401
    from .services.appointments import reminders, slots  # noqa: F401
    from .services.issuers import alerts, applications, mailbox, major_holders  # noqa: F401
    from .services.issuers import certificates as issuer_certificates  # noqa: F401
    from .services.issuers import pushes  # noqa: F401
    from .services.queries import certificates  # noqa: F401
    from .services.support import assignment  # noqa: F401
    from .services.wechat import messages, push_ledger, template_messages  # noqa: F401


def register_blueprints(app):
    from h5 import register as register_h5
    from handlers.endpoint import bp as wechat_bp

    csrf.exempt(wechat_bp)  # signed by WeChat, not by a browser form
    app.register_blueprint(wechat_bp)
    register_h5(app)
    if app.config["SIMULATOR_ENABLED"]:
        from .simulator import register as register_simulator
        register_simulator(app)


def register_lean_routes(app):
    """After the static files: WeChat's pushes and the queue poll are answered ahead of
    Flask's page machinery (lean_routes.py, issue 15)."""
    from . import lean_routes
    lean_routes.install(app)


def register_rate_limits(app):
    """After the blueprints: the views' declared throttles are applied per app."""
    from . import rate_limits
    rate_limits.init_app(app)


def register_converters(app):
    """Before the blueprints: path ids are numbers a database can hold (request_guard)."""
    from .request_guard import install_converters
    install_converters(app)


def register_request_guard(app):
    """Control characters and oversized bodies are refused before any view reads them."""
    from . import request_guard
    request_guard.init_app(app)


def register_errorhandlers(app):
    from h5.errors import register as register_errors
    register_errors(app)


def register_commands(app):
    from .cli import register as register_cli
    register_cli(app)


def register_template_helpers(app):
    from . import template_helpers
    template_helpers.init_app(app)


def register_staging_notice(app):
    """UNSAFE_STAGING_HOST: every page's footer says the simulator is on (staging.py)."""
    from . import staging
    staging.init_app(app)


def register_sessionless_paths(app):
    """WeChat's pushes carry no cookie, and the queue-progress poll (APT-9) is public and
    reads none: no session is opened for them (issue 15)."""
    from . import sessionless
    sessionless.init_app(app, ["/wechat", "/h5/queue/status.json"])


def register_static_files(app):
    """Hashed, compressed static files, cached for a year (issue 15)."""
    from . import static_files
    static_files.init_app(app)
