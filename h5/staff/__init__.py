"""Staff pages: login, the console, and the back office (/admin)."""


def register(app):
    from . import backoffice, counter_checks, hall_desk, support, views

    app.register_blueprint(views.bp)
    app.register_blueprint(counter_checks.bp)
    app.register_blueprint(support.bp)
    app.register_blueprint(hall_desk.bp)
    backoffice.init_app(app)
