"""Staff pages: login, the console, and the back office (/admin)."""


def register(app):
    from . import backoffice, counter_checks, views

    app.register_blueprint(views.bp)
    app.register_blueprint(counter_checks.bp)
    backoffice.init_app(app)
