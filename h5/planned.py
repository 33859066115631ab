"""Pages whose features are not built yet. They say so honestly, and know the user.

Each later issue replaces its entries here with the real blueprint.
"""
from flask import Blueprint, render_template

from wechat_hall.masking import mask_openid

from .identity import activated_required, current_openid, openid_required

bp = Blueprint("planned", __name__, url_prefix="/h5")

# endpoint name, path, title, feature ids, needs the WeChat user
PAGES = [
]

# Pages that need a signed-in user with an activated 一码通 (ACC-8's second entry). The
# queries (Q-1..Q-7) moved to h5/queries.py.
ACTIVATED = set()


def _make_view(title, feature):
    def view():
        return render_template("hall/planned.html", title=title, feature=feature,
                               openid=mask_openid(current_openid()))
    return view


for name, path, title, feature, needs_user in PAGES:
    view = _make_view(title, feature)
    view.__name__ = name
    if name in ACTIVATED:
        view = activated_required(view)
    elif needs_user:
        view = openid_required(view)
    bp.add_url_rule(path, name, view)
