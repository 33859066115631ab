"""Back office of holder-meeting voting (V-1, V-2, V-9): meetings, proposals, items, the
register as imported (or taken from the ledger), and the results with the receipt-chain
check and the export."""
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from sqlalchemy import func
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from models import VoteBallot, VoteMeeting
from models.voting import CHOICES, PROPOSAL_KINDS
from wechat_hall import clock
from wechat_hall.adapters.holder_register import RegisterError
from wechat_hall.extensions import db
from wechat_hall.services.errors import Rejected
from wechat_hall.services.voting import admin as vote_rules
from wechat_hall.services.voting import meetings as voting_meetings
from wechat_hall.services.voting import receipts, tally
from wechat_hall.services.voting import register as vote_register

from .base import AdminOnly, BackOfficeView, local_time, when
from .forms import strip


def _vote_code(view, context, model, name):
    return model.code


class VoteMeetingView(BackOfficeView):
    """持有人会议. Times are typed and shown in Shanghai time, stored as UTC."""

    column_list = ["id", "security_code", "security_name", "title", "record_date", "opens_at",
                   "closes_at", "register_rows"]
    column_labels = {
        "id": "会议编号", "security_code": "证券代码", "security_name": "证券简称",
        "title": "会议名称", "record_date": "权益登记日", "opens_at": "投票开始时间",
        "closes_at": "投票结束时间", "total_shares": "总股本（股）",
        "close_price": "权益登记日收盘价（元）", "has_overall": "设总议案", "notice": "会议说明",
        "register_rows": "名册账户数",
    }
    column_descriptions = {
        "opens_at": "北京时间", "closes_at": "北京时间，到点即停止投票",
        "total_shares": "用于分档统计（持股比例）",
        "close_price": "用于分档统计（持股市值）",
        "has_overall": "总议案：对除选举型议案外的所有议案表达相同意见",
    }
    column_formatters = {"opens_at": when, "closes_at": when}
    column_searchable_list = ["security_code", "security_name", "title"]
    column_default_sort = ("id", True)
    form_columns = ["security_code", "security_name", "title", "record_date", "opens_at",
                    "closes_at", "total_shares", "close_price", "has_overall", "notice"]
    form_args = {"security_code": {"filters": [strip]}, "security_name": {"filters": [strip]},
                 "title": {"filters": [strip]}}
    form_widget_args = {"notice": {"rows": 4}}

    def on_form_prefill(self, form, id):
        form.opens_at.data = clock.wall_time(form.opens_at.data)
        form.closes_at.data = clock.wall_time(form.closes_at.data)

    def on_model_change(self, form, model, is_created):
        model.opens_at = clock.to_utc(form.opens_at.data)
        model.closes_at = clock.to_utc(form.closes_at.data)
        changed = [] if is_created else [
            name for name in vote_rules.FIXED_AFTER_BALLOT
            if db.inspect(model).attrs[name].history.has_changes()]
        try:
            vote_rules.check_meeting(model, changed)
        except Rejected as exc:
            raise ValidationError(str(exc))


class VoteProposalView(BackOfficeView):
    """议案组 N.00: 表决型 or 选举型 (当选数)."""

    column_list = ["meeting", "code", "title", "kind", "seats"]
    column_labels = {"meeting": "所属会议", "code": "编号", "number": "编号 N（显示为 N.00）",
                     "title": "议案名称", "kind": "类型", "seats": "当选数"}
    column_formatters = {"code": _vote_code,
                         "kind": lambda v, c, m, n: m.kind_label}
    column_default_sort = [("meeting_id", True), ("number", False)]
    form_columns = ["meeting", "number", "title", "kind", "seats"]
    form_choices = {"kind": list(PROPOSAL_KINDS.items())}
    form_args = {"meeting": {"validators": [InputRequired("请选择所属会议。")]},
                 "number": {"validators": [NumberRange(min=1, max=99,
                                                       message="编号须为1-99之间的整数。")]},
                 "title": {"filters": [strip]},
                 "seats": {"validators": [Optional(), NumberRange(min=1, max=99,
                                                                  message="当选数须为1-99。")]}}
    column_descriptions = {"number": "1 表示 1.00，其子议案或候选人为 1.01、1.02 …",
                           "seats": "仅选举型（累积投票）填写"}

    def check(self, model):
        vote_rules.check_proposal(model)


class VoteItemView(BackOfficeView):
    """N.01, N.02 …: 表决型 proposals or 选举型 candidates."""

    column_list = ["proposal.meeting", "proposal", "code", "title"]
    column_labels = {"proposal.meeting": "所属会议", "proposal": "所属议案组", "code": "编号",
                     "number": "序号（1 表示 N.01）", "title": "议案/候选人名称",
                     "proposal.meeting.title": "会议名称"}
    column_formatters = {"code": _vote_code}
    column_default_sort = [("proposal_id", False), ("number", False)]
    column_filters = ["proposal.meeting.title"]
    form_columns = ["proposal", "number", "title"]
    # "1.00 议案" alone is ambiguous when several meetings have one: name the meeting too
    form_args = {"proposal": {"validators": [InputRequired("请选择所属议案组。")],
                              "get_label": lambda p: f"{p.meeting} · {p.code} {p.title}"},
                 "number": {"validators": [NumberRange(min=1, max=99,
                                                       message="序号须为1-99之间的整数。")]},
                 "title": {"filters": [strip]}}

    def check(self, model):
        vote_rules.check_item(model)


class VoteHoldingView(BackOfficeView):
    """The register as imported (`flask vote import-register`): read only."""

    can_create = False
    can_edit = False
    column_list = ["meeting_id", "account", "name", "holder_category", "quantity", "split",
                   "parent_account"]
    column_labels = {"meeting_id": "会议编号", "account": "证券账户", "name": "持有人名称",
                     "holder_category": "持有人类别", "quantity": "持有数量",
                     "split": "明细投票", "parent_account": "所属信用/名义账户"}
    column_searchable_list = ["account", "name"]
    column_filters = ["meeting_id", "split", "parent_account"]
    page_size = 100


class VoteResultsView(AdminOnly, BaseView):
    """投票结果: totals and tiers after close, the receipt-chain check, the export."""

    @expose("/")
    def index(self):
        meetings = db.session.execute(db.select(VoteMeeting).order_by(
            VoteMeeting.id.desc())).scalars().all()
        counts = dict(db.session.execute(db.select(VoteBallot.meeting_id, func.count())
                                         .group_by(VoteBallot.meeting_id)).all())
        return self.render("staff/admin/vote_results.html", meetings=meetings, counts=counts,
                           phase=voting_meetings.phase, local_time=local_time, result=None)

    def _meeting(self, meeting_id):
        meeting = db.session.get(VoteMeeting, meeting_id) if meeting_id < 2**31 else None
        if meeting is None:
            abort(404)
        return meeting

    @expose("/<int:meeting_id>")
    def detail(self, meeting_id):
        meeting = self._meeting(meeting_id)
        result = tally.published(meeting)
        closed = result is not None
        count = db.session.execute(db.select(func.count(VoteBallot.id)).filter_by(
            meeting_id=meeting.id)).scalar_one()
        chain = receipts.verify(meeting.id) if request.args.get("verify") else None
        return self.render("staff/admin/vote_result.html", meeting=meeting, result=result,
                           closed=closed, count=count, chain=chain, local_time=local_time,
                           tiers=tally.TIER_KEYS, choices=CHOICES,
                           percent=tally.percent)

    @expose("/<int:meeting_id>/register-from-ledger", methods=["POST"])
    def register_from_ledger(self, meeting_id):
        """V-2: take the register from the ledger at the record date (ISS-1's T1)."""
        meeting = self._meeting(meeting_id)
        try:
            records, accounts = vote_register.register_from_ledger(meeting)
        except RegisterError as exc:
            db.session.rollback()
            flash(f"名册未生成，未做任何修改：{'；'.join(exc.errors)}", "error")
        else:
            flash(f"已从登记数据生成权益登记日 {meeting.record_date} 的持有人名册："
                  f"{records} 条记录，{accounts} 个证券账户。", "success")
        return redirect(url_for(".detail", meeting_id=meeting_id))

    @expose("/<int:meeting_id>/export.<fmt>")
    def export(self, meeting_id, fmt):
        meeting = self._meeting(meeting_id)
        result = tally.published(meeting)
        if result is None:
            flash("投票结束后方可导出结果。", "error")
            return redirect(url_for(".detail", meeting_id=meeting_id))
        if fmt == "csv":
            data, mime = tally.export_csv(result), "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            data = tally.export_xlsx(result)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            abort(404)
        name = f"vote_{meeting.security_code}_{meeting.id}.{fmt}"
        return Response(data, mimetype=mime,
                        headers={"Content-Disposition": f"attachment; filename={name}"})
