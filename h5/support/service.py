"""在线客服 service centre (CS-1, CS-2, CS-4): the investor picks a market or business
system, reads that queue's answers, and may ask for a person. The conversation itself
happens in the WeChat chat; this page sets its queue and shows where it stands."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from h5.forms import HallForm
from wtforms import HiddenField

from h5.identity import current_openid, openid_required
from models.support import QUEUE_KINDS, WAITING
from wechat_hall.extensions import db
from wechat_hall.services.support import conversations

bp = Blueprint("service", __name__, url_prefix="/h5")


class ChooseForm(HallForm):
    queue = HiddenField()


class AgentForm(HallForm):
    """Only the CSRF token: 转人工."""


@bp.get("/service")
@openid_required
def centre():
    openid = current_openid()
    conversation = conversations.open_conversation(openid)
    queues = conversations.active_queues()
    groups = [(label, [q for q in queues if q.kind == kind]) for kind, label in QUEUE_KINDS.items()]
    chosen = conversation.queue if conversation is not None else None
    selected = conversations.queue_by_code(request.args.get("q")) or chosen
    return render_template(
        "hall/service.html", groups=groups, conversation=conversation, chosen=chosen,
        selected=selected,
        answers=conversations.knowledge_for(selected) if selected else [],
        position=conversations.position(conversation) if conversation is not None
        and conversation.status == WAITING else 0,
        open_now=conversations.open_now(), hours=conversations.hours_text(),
        holiday=conversations.closed_for_holiday(),
        choose_form=ChooseForm(), agent_form=AgentForm())


@bp.post("/service/choose")
@openid_required
def choose():
    form = ChooseForm()
    if not form.validate_on_submit():
        flash("页面已过期，请重新选择。", "error")
        return redirect(url_for("service.centre"))
    try:
        conversation = conversations.choose(current_openid(), form.queue.data)
    except conversations.Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("service.centre"))
    db.session.commit()
    flash(f"已选择【{conversation.queue.name}】。", "success")  # what to do next: the status box
    return redirect(url_for("service.centre"))


@bp.post("/service/agent")
@openid_required
def ask_agent():
    if not AgentForm().validate_on_submit():
        flash("页面已过期，请重试。", "error")
        return redirect(url_for("service.centre"))
    try:
        text = conversations.request_agent(current_openid())
    except conversations.Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("service.centre"))
    db.session.commit()
    flash(text + " 客服的回复会出现在公众号聊天窗口中。", "success")
    return redirect(url_for("service.centre"))
