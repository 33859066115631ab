"""The issuer portal at /issuer/ (ISS-2 … ISS-6, desktop web) and the issuer desk's pages
on the staff side (/staff/issuers/). Views parse, call ``services/issuers``, render."""


def register(app):
    from . import alerts, auth, certificates, desk, desk_setup, insiders, portal, queries

    for module in (auth, portal, alerts, queries, insiders, certificates, desk, desk_setup):
        app.register_blueprint(module.bp)
