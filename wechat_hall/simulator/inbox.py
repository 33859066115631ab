"""The development inbox at ``/sim/inbox``: what the dev SMS and mail adapters "sent".

Newest first, attachments downloadable; the page polls ``/sim/inbox/latest`` and
reloads only when something new arrived, so reading a long e-mail is not interrupted.
"""
from io import BytesIO

from flask import Blueprint, abort, jsonify, render_template, request, send_file

from models import DevAttachment, DevMessage
from wechat_hall.extensions import db

bp = Blueprint("sim_inbox", __name__, url_prefix="/sim/inbox", template_folder="templates")

PAGE_SIZE = 100


@bp.get("")
@bp.get("/")
def index():
    query = db.select(DevMessage).order_by(DevMessage.id.desc())
    recipient = request.args.get("to", "").strip()[:255]
    if recipient:
        query = query.filter(DevMessage.recipient.contains(recipient))
    channel = request.args.get("channel", "")
    if channel in ("sms", "email"):
        query = query.filter(DevMessage.channel == channel)
    rows = db.session.execute(query.limit(PAGE_SIZE)).scalars().all()
    last = db.session.execute(db.select(db.func.max(DevMessage.id))).scalar() or 0
    return render_template("simulator/inbox.html", rows=rows, last=last, to=recipient,
                           channel=channel, page_size=PAGE_SIZE)


@bp.get("/latest")
def latest():
    last = db.session.execute(db.select(db.func.max(DevMessage.id))).scalar() or 0
    return jsonify(last=last)


@bp.get("/attachment/<int:attachment_id>")
def attachment(attachment_id):
    row = db.session.get(DevAttachment, attachment_id)
    if row is None:
        abort(404)
    return send_file(BytesIO(row.data), mimetype=row.content_type, as_attachment=True,
                     download_name=row.filename)
