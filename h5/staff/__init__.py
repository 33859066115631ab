"""Staff pages: login, the console, and the back office (/admin)."""


def register(app):
    from . import backoffice, views

    app.register_blueprint(views.bp)
    backoffice.init_app(app)
