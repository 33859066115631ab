"""客服工作台 (CS-3): the agent's console and the supervisor's view, at /staff/cs.

Thin: forms are parsed here, rules live in services/support (agent_desk, assignment,
conversations, window). The page polls ``/staff/cs/poll`` every two seconds for new
messages and list changes, and posts a heartbeat every fifteen: nothing is kept in one
process's memory, so any web process can answer either.
"""
from datetime import timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from h5.forms import HallForm
from wtforms import HiddenField, TextAreaField

from models import CsConversation, HallUser
from models.support import ASSIGNED, PRESENCE, RATINGS, WAITING
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_name, mask_openid, mask_phone
from wechat_hall.services.support import agent_desk, assignment, conversations, staff_scope
from wechat_hall.services.support import window as cs_window
from wechat_hall.services.support.assignment import Refused

from .access import role_required

bp = Blueprint("cs", __name__, url_prefix="/staff/cs")


class ReplyForm(HallForm):
    text = TextAreaField()


class NoteForm(HallForm):
    text = TextAreaField()


class TransferForm(HallForm):
    queue = HiddenField()


class PresenceForm(HallForm):
    presence = HiddenField()


class ActionForm(HallForm):
    """Only the CSRF token (claim, resolve)."""


def _staff():
    return current_user._get_current_object()


def waited(since, now):
    if since is None:
        return ""
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{seconds // 60}分{seconds % 60:02d}秒"
    return f"{seconds // 3600}小时{seconds % 3600 // 60}分"


def _row(row, now, previews, base):
    """A list entry: ``row`` has id, openid, status, waiting_since and queue (a name)."""
    queue = row.queue if isinstance(row.queue, str) else (row.queue.name if row.queue else None)
    return {"id": row.id, "openid": mask_openid(row.openid), "queue": queue or "未分类",
            "status": row.status, "waited": waited(row.waiting_since, now),
            "since": row.waiting_since.isoformat() + "Z" if row.waiting_since else "",
            "preview": previews.get(row.id, ""), "url": f"{base}?c={row.id}"}


def lists(staff):
    now = clock.utcnow()
    mine, waiting = agent_desk.console_rows(staff)
    previews = agent_desk.last_inbound_text([r.id for r in mine + waiting])
    base = url_for("cs.console")
    return ([_row(r, now, previews, base) for r in mine],
            [_row(r, now, previews, base) for r in waiting])


def investor_card(openid):
    user = db.session.execute(db.select(HallUser).filter_by(openid=openid)).scalar_one_or_none()
    card = {"openid": mask_openid(openid), "bound": user is not None}
    if user is not None:
        card["phone"] = mask_phone(getattr(user, "phone", "") or "")
        card["name"] = mask_name(getattr(user, "nickname", "") or "")
    return card


def _state(conversation):
    staff = _staff()
    window = cs_window.compute(conversation.openid)
    return {"id": conversation.id, "status": conversation.status,
            "status_label": conversation.status_label,
            "mine": conversation.status == ASSIGNED and conversation.assigned_to_id == staff.id,
            "queue": conversation.queue.name if conversation.queue else "未分类",
            "assignee": agent_desk._name(conversation.assigned_to) if conversation.assigned_to else "",
            "rating": RATINGS.get(conversation.rating, "") if conversation.rating else "",
            "window": window.as_dict()}


def _visible(staff, conversation_id):
    """The conversation named in the URL, or None when none is; 404 when ``staff`` may
    not see it (staff_scope), exactly as for one that does not exist."""
    if not conversation_id:
        return None
    try:
        return staff_scope.visible(staff, conversation_id)
    except staff_scope.NotFound:
        abort(404)


def _may_see(staff, conversation_id):
    try:
        staff_scope.visible(staff, conversation_id)
    except staff_scope.NotFound:
        return False
    return True


def render_console(conversation_id=None, error=None, draft="", status=200):
    staff = _staff()
    agent = assignment.profile(staff)
    db.session.commit()
    mine, waiting = lists(staff)
    conversation = _visible(staff, conversation_id)
    context = dict(agent=agent, presence_label=assignment.shown_presence(agent),
                   presences=PRESENCE, mine=mine, waiting=waiting, conversation=conversation,
                   error=error, draft=draft, canned=agent_desk.canned_replies(),
                   queues=conversations.active_queues(), reply_form=ReplyForm(),
                   note_form=NoteForm(), transfer_form=TransferForm(),
                   presence_form=PresenceForm(), action_form=ActionForm(),
                   max_reply=agent_desk.MAX_REPLY)
    if conversation is not None:
        context.update(
            state=_state(conversation),
            messages=[agent_desk.message_dict(m) for m in agent_desk.messages(conversation)],
            investor=investor_card(conversation.openid),
            history=[dict(id=c.id, at=c.created_at, queue=c.queue.name if c.queue else "未分类",
                          status=c.status_label, rating=RATINGS.get(c.rating, ""))
                     for c in conversations.earlier(conversation.openid, conversation.id)
                     if _may_see(staff, c.id)],
            position=conversations.position(conversation) if conversation.status == WAITING else 0)
    return render_template("staff/cs/console.html", **context), status


@bp.get("/")
@role_required("agent")
def console():
    conversation_id = request.args.get("c", type=int)
    return render_console(conversation_id)


@bp.get("/poll")
@role_required("agent")
def poll():
    """New messages of the open conversation (after ``after``), the lists, the window."""
    staff = _staff()
    mine, waiting = lists(staff)
    body = {"mine": mine, "waiting": waiting,
            "presence": assignment.shown_presence(assignment.profile(staff))}
    conversation = _visible(staff, request.args.get("c", type=int))
    if conversation is not None:
        after = request.args.get("after", default=0, type=int)
        body["conversation"] = _state(conversation)
        body["messages"] = [agent_desk.message_dict(m)
                            for m in agent_desk.messages(conversation, after)]
    db.session.commit()
    return jsonify(body)


@bp.post("/heartbeat")
@role_required("agent")
def heartbeat():
    agent = assignment.heartbeat(_staff())
    db.session.commit()
    if agent.presence == "online":
        assignment.assign_waiting()
    return jsonify({"presence": assignment.shown_presence(agent)})


@bp.post("/presence")
@role_required("agent")
def presence():
    form = PresenceForm()
    back = request.args.get("c", type=int)
    if not form.validate_on_submit() or form.presence.data not in PRESENCE:
        return render_console(back, error="请选择在线、忙碌或离线。", status=400)
    assignment.set_presence(_staff(), form.presence.data)
    db.session.commit()
    if form.presence.data == "online":
        assignment.assign_waiting()
    flash(f"状态已切换为：{PRESENCE[form.presence.data]}。", "success")
    return redirect(url_for("cs.console", c=back))


def _act(conversation_id, action, success, form_class=ActionForm, keep_draft=False):
    form = form_class()
    if not form.validate_on_submit():
        return render_console(conversation_id, error="页面已过期，请刷新后重试。", status=400)
    try:
        result = action(form)
    except staff_scope.NotFound:
        db.session.rollback()
        abort(404)
    except Refused as exc:
        db.session.rollback()
        draft = form.text.data if keep_draft else ""
        return render_console(conversation_id, error=str(exc), draft=draft or "", status=400)
    message = success(result) if callable(success) else success
    if message:
        flash(*message) if isinstance(message, tuple) else flash(message, "success")
    if not _may_see(_staff(), conversation_id):  # transferred to a queue they do not serve
        return redirect(url_for("cs.console"))
    return redirect(url_for("cs.console", c=conversation_id))


@bp.post("/c/<int:conversation_id>/claim")
@role_required("agent")
def claim(conversation_id):
    return _act(conversation_id, lambda form: agent_desk.claim(_staff(), conversation_id),
                "已认领该会话。")


def _replied(message):
    if message.delivery == "sent":
        return None
    return (f"消息未送达：微信拒绝发送（{message.errcode}：{message.error_text}）。"
            if message.delivery == "refused" else f"消息未送达：{message.error_text}", "error")


@bp.post("/c/<int:conversation_id>/reply")
@role_required("agent")
def reply(conversation_id):
    return _act(conversation_id,
                lambda form: agent_desk.reply(_staff(), conversation_id, form.text.data),
                _replied, ReplyForm, keep_draft=True)


@bp.post("/c/<int:conversation_id>/note")
@role_required("agent")
def note(conversation_id):
    return _act(conversation_id,
                lambda form: agent_desk.note(_staff(), conversation_id, form.text.data),
                "已添加内部备注（投资者看不到）。", NoteForm)


@bp.post("/c/<int:conversation_id>/transfer")
@role_required("agent")
def transfer(conversation_id):
    return _act(conversation_id,
                lambda form: agent_desk.transfer(_staff(), conversation_id, form.queue.data),
                lambda c: f"已转至【{c.queue.name}】队列。", TransferForm)


@bp.post("/c/<int:conversation_id>/resolve")
@role_required("agent")
def resolve(conversation_id):
    return _act(conversation_id, lambda form: agent_desk.resolve(_staff(), conversation_id),
                lambda result: "会话已结束。" + result[1])


@bp.get("/supervisor")
@role_required("admin")
def supervisor():
    now = clock.utcnow()
    queues, agents = agent_desk.supervisor_overview(now)
    waiting = db.session.execute(
        db.select(CsConversation).filter(CsConversation.status == WAITING)
        .order_by(CsConversation.waiting_since).limit(50)).scalars().all()
    return render_template("staff/cs/supervisor.html", queues=queues, agents=agents,
                           waiting=[_row(c, now, {}, url_for("cs.console")) for c in waiting],
                           fmt=lambda d: waited(now - d, now) if isinstance(d, timedelta) else d)
