"""Staff pages: login, the console, and the back office (/admin)."""


def register(app):
    from . import backoffice, counter_checks, support, views

    app.register_blueprint(views.bp)
    app.register_blueprint(counter_checks.bp)
    app.register_blueprint(support.bp)
    backoffice.init_app(app)
