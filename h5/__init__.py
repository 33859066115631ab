"""H5 pages: the hall investors open from WeChat (and the web hall), and staff pages."""


def register(app):
    from . import hall, oauth, planned, health
    from .staff import register as register_staff

    app.register_blueprint(hall.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(planned.bp)
    app.register_blueprint(health.bp)
    register_staff(app)
