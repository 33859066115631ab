"""H5 pages: the hall investors open from WeChat (and the web hall), and staff pages."""


def register(app):
    from . import accounts, activation, appointments, captcha, hall, health, oauth
    from . import certificates, profile, queries, queue, recovery, service, verification, votes
    from .staff import register as register_staff

    app.register_blueprint(hall.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(oauth.entry_bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(verification.bp)
    app.register_blueprint(activation.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(votes.bp)
    app.register_blueprint(appointments.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(captcha.bp)
    register_staff(app)
