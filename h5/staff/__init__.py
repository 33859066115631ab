"""Staff pages: login, the console, and the back office (/admin)."""


def register(app):
    from . import backoffice, hall_desk, views

    app.register_blueprint(views.bp)
    app.register_blueprint(hall_desk.bp)
    backoffice.init_app(app)
