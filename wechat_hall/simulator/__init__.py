"""The WeChat simulator (P-6): a fake WeChat API and a phone chat page.

Development and tests only (``SIMULATOR_ENABLED``). With it a newcomer uses the whole
hall on a laptop without a WeChat account:

- ``/sim/api/…``  WeChat's API on WeChat's paths (:mod:`api`), rules in :mod:`tokens`,
  :mod:`menu_store`, :mod:`outbound`, :mod:`windows`, :mod:`oauth_codes`;
- ``/sim/``       the phone: pushes signed (and in safe mode encrypted) XML to
  ``/wechat`` (:mod:`chat`, :mod:`push`) and shows the replies (:mod:`display`);
- ``/sim/inbox``  the SMS and e-mails the development adapters "sent" (:mod:`inbox`).
"""


def register(app):
    from wechat_hall.extensions import csrf

    from . import api, inbox, views

    csrf.exempt(api.bp)  # WeChat's API is called by servers, not by browser forms
    csrf.exempt(views.bp)  # JSON-only and same-origin instead: see views.py
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(inbox.bp)
