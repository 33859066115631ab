"""Who may open a staff page: ``role_required`` for views of later features.

Usage::

    @bp.get("/counter")
    @role_required("counter")
    def counter(): ...

Admins pass every role check. Nobody signed in: to the login page (with ``next``).
Signed in without the role: a 403 page that says so.
"""
from functools import wraps

from flask import render_template
from flask_login import current_user, logout_user

from wechat_hall.extensions import login_manager


def forbidden():
    """The 403 page of the staff side: who is signed in, and the way back."""
    return render_template("staff/forbidden.html"), 403


def signed_in_staff():
    """The signed-in staff user, or None (a disabled account loses its session)."""
    if not current_user.is_authenticated:
        return None
    if not current_user.is_active:
        logout_user()
        return None
    return current_user


def role_required(*roles):
    """Let through staff holding any of ``roles`` (or any staff when none are named)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = signed_in_staff()
            if user is None:
                return login_manager.unauthorized()
            if roles and not user.has_role(*roles):
                return forbidden()
            return view(*args, **kwargs)
        return wrapped
    return decorator


staff_required = role_required()
