"""H5 pages: the hall investors open from WeChat (and the web hall), and staff pages."""


def register(app):
    from . import appointments, captcha, hall, health, oauth, planned, queue
    from .staff import register as register_staff

    app.register_blueprint(hall.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(planned.bp)
    app.register_blueprint(appointments.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(captcha.bp)
    register_staff(app)
