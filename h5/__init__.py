"""H5 pages: the hall investors open from WeChat (and the web hall), and staff pages.

One package per domain, as the services are: ``accounts/`` (ACC, PUB-2), ``queries/``
(Q), ``appointments/`` (APT), ``votes/`` (V), ``support/`` (CS), ``staff/`` (every staff
page and the back office). At the root: the home grid, who is looking, OAuth, errors,
health, metrics.
"""


def register(app):
    from h5 import hall, health, metrics, oauth, webhall
    from h5.accounts import (
        activation,
        captcha,
        confirmation,
        email,
        profile,
        recovery,
        recovery_email,
        registration,
        verification,
    )
    from h5.accounts import views as accounts
    from h5.appointments import queue
    from h5.appointments import views as appointments
    from h5.queries import certificates
    from h5.queries import views as queries
    from h5.staff import register as register_staff
    from h5.support import service
    from h5.votes import views as votes

    for module in (hall, oauth, registration, accounts, recovery, recovery_email, verification,
                   activation, profile, email, confirmation, queries, certificates, service,
                   votes, appointments, queue, health, captcha, metrics):
        app.register_blueprint(module.bp)
    app.register_blueprint(oauth.entry_bp)
    webhall.init_app(app)
    app.register_blueprint(hall.root_bp)
    register_staff(app)
    from h5.issuers import register as register_issuers
    register_issuers(app)
