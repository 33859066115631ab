"""微信营业厅: the Flask application factory.

``create_app`` calls named steps, in the manner of cookiecutter-flask, so a reader sees
at once what the application is made of.
"""
import logging

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
    configure_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure_logging(app):
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_proxies(app):
    """Behind nginx (or any proxy) the client's address is in X-Forwarded-For: trust as
    many hops as TRUSTED_PROXIES says, so the per-IP SMS cap counts people, not the proxy."""
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
    from .jobs import queue
    queue.init_app(app)
    from .services import wechat_api
    wechat_api.init_app(app)
    from . import auth_loader  # noqa: F401  (user loader for Flask-Login)


def register_blueprints(app):
    from h5 import register as register_h5
    from handlers.endpoint import bp as wechat_bp

    csrf.exempt(wechat_bp)  # signed by WeChat, not by a browser form
    app.register_blueprint(wechat_bp)
    register_h5(app)
    if app.config["SIMULATOR_ENABLED"]:
        from .simulator import register as register_simulator
        register_simulator(app)


def register_errorhandlers(app):
    from h5.errors import register as register_errors
    register_errors(app)


def register_commands(app):
    from .cli import register as register_cli
    register_cli(app)


def register_template_helpers(app):
    from . import template_helpers
    template_helpers.init_app(app)
