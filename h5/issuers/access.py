"""Who is looking at an issuer page: the signed-in contact (session keys set by auth)."""
from functools import wraps

from flask import g, redirect, request, session, url_for

from models import IssuerContact
from wechat_hall.extensions import db
from wechat_hall.urls import local_path

CONTACT_ID = "issuer_contact_id"
CONTACT_EPOCH = "issuer_contact_epoch"
PENDING_ID = "issuer_pending_id"  # password right, second factor still to come


def signed_in_contact():
    """The contact of this session, or None (a disabled or re-keyed contact loses it)."""
    if "issuer_contact" in g:
        return g.issuer_contact
    contact = None
    raw = session.get(CONTACT_ID)
    if isinstance(raw, int):
        contact = db.session.get(IssuerContact, raw)
        if contact is None or not contact.active or \
                contact.session_epoch != session.get(CONTACT_EPOCH):
            session.pop(CONTACT_ID, None)
            contact = None
    g.issuer_contact = contact
    return contact


def contact_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        contact = signed_in_contact()
        if contact is None:
            target = local_path(request.full_path.rstrip("?")) if request.method == "GET" else ""
            return redirect(url_for("issuer_auth.login", next=target or None))
        return view(contact, *args, **kwargs)
    return wrapped
