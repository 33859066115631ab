"""The back office at /admin (Flask-Admin 2): offices, business types, slots and staff.

Only staff with the admin role get in; everyone else is sent to the login page or shown
the staff 403 page, the index view included. Every form is a SecureForm
(backoffice_forms.AdminForm).
Nothing is deleted here: offices, business types, slots and staff are switched off
(启用) instead, because bookings and tickets will point at them.
"""
import logging
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from models import (BookingSlot, BusinessType, CalendarDay, HallCounter, Office, SlotTemplate,
                    StaffUser, VoteBallot, VoteHolding, VoteItem, VoteMeeting, VoteProposal)
from models.calendar import DAY_KINDS
from models.voting import CHOICES, PROPOSAL_KINDS
from wechat_hall.extensions import db, login_manager
from wechat_hall.services import backoffice as rules
from wechat_hall.services import hall_calendar, slots as slot_rules
from wechat_hall.services import receipt_chain, staff_accounts, vote_tally, voting_meetings
from wechat_hall.services import voting_admin as vote_rules

from .access import forbidden, signed_in_staff
from .backoffice_forms import (AdminForm, Checkbox, PasswordInput, RolesField, end_after_start,
                               password_policy, strip)

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).with_name("translations")


def local_time(value):
    """Stored naive UTC → the hall's local time, as staff read it."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    return value.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")


# --- Access --------------------------------------------------------------------------

class AdminOnly:
    """Mixed into every back-office view, the index included."""

    def is_accessible(self):
        user = signed_in_staff()
        return user is not None and "admin" in user.role_set

    def inaccessible_callback(self, name, **kwargs):
        if signed_in_staff() is None:
            return login_manager.unauthorized()
        return forbidden()


class BackOfficeHome(AdminOnly, AdminIndexView):
    @expose("/")
    def index(self):
        counts = [
            ("办理地区/网点", "office.index_view", db.session.query(Office).count()),
            ("业务类型", "businesstype.index_view", db.session.query(BusinessType).count()),
            ("预约时段", "slottemplate.index_view", db.session.query(SlotTemplate).count()),
            ("节假日与调休", "calendarday.index_view", db.session.query(CalendarDay).count()),
            ("号源（按日期）", "bookingslot.index_view", db.session.query(BookingSlot).count()),
            ("柜台窗口", "hallcounter.index_view", db.session.query(HallCounter).count()),
            ("员工账号", "staffuser.index_view", db.session.query(StaffUser).count()),
        ]
        locked = [u for u in db.session.query(StaffUser).order_by(StaffUser.username)
                  if staff_accounts.is_locked(u)]
        return self.render("staff/admin/index.html", counts=counts, locked=locked,
                           local_time=local_time)


class BackOfficeView(AdminOnly, ModelView):
    form_base_class = AdminForm
    can_delete = False
    can_view_details = False
    can_export = False
    page_size = 50
    column_display_pk = False
    form_widget_args = {}

    def check(self, model):
        """Cross-row rules from the services; raise rules.Rejected."""

    def on_model_change(self, form, model, is_created):
        try:
            self.check(model)
        except (rules.Rejected, staff_accounts.StaffRuleViolation,
                staff_accounts.PasswordRejected) as exc:
            raise ValidationError(str(exc))

    def handle_view_exception(self, exc):
        """Every failure becomes a Chinese message; Flask-Admin then rolls back."""
        if isinstance(exc, ValidationError):
            flash(str(exc), "error")
            return True
        if isinstance(exc, IntegrityError):
            log.warning("back office integrity error: %s", exc)
            flash("保存失败：与已有记录冲突（例如代码或名称重复），本次未做任何修改。", "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            log.exception("back office database error")
            flash("保存失败：数据库拒绝了本次修改，未做任何修改，请检查输入后重试。", "error")
            return True
        if super().handle_view_exception(exc):  # raises instead when the app is in debug
            return True
        log.exception("back office error")
        flash("操作失败：系统暂时无法处理，本次未做任何修改，请稍后重试。", "error")
        return True


# --- Model views ---------------------------------------------------------------------

class OfficeView(BackOfficeView):
    column_list = ["code", "region", "name", "address", "phone", "active"]
    column_labels = {
        "code": "地区代码", "region": "办理地区", "name": "网点名称", "address": "地址",
        "phone": "联系电话", "booking_notice": "预约说明", "active": "启用",
    }
    column_descriptions = {
        "code": "2-16位大写字母或数字，如 SH",
        "booking_notice": "投资者预约前看到的说明，每条一行",
        "active": "停用后投资者不能再选择该网点",
    }
    column_searchable_list = ["code", "region", "name"]
    column_default_sort = "id"
    form_columns = ["code", "region", "name", "address", "phone", "booking_notice", "active"]
    form_args = {
        "code": {"filters": [strip],
                 "validators": [Regexp(rules.OFFICE_CODE_RE, message=rules.OFFICE_CODE_RULE)]},
        "region": {"filters": [strip]},
        "name": {"filters": [strip]},
    }
    form_widget_args = {"booking_notice": {"rows": 8}}

    def check(self, model):
        rules.check_office(model)


class BusinessTypeView(BackOfficeView):
    column_list = ["office", "code", "name", "ticket_prefix", "sort_order", "active"]
    column_labels = {
        "office": "所属网点", "code": "业务代码", "name": "业务名称", "ticket_prefix": "取号前缀",
        "notice": "业务办理须知", "sort_order": "排序", "active": "启用",
    }
    column_descriptions = {
        "ticket_prefix": "1-2位大写字母，出现在取号单号前（如 A023）",
        "notice": "投资者选择该业务时看到的办理须知（所需材料等）",
        "sort_order": "数字小的排在前面",
    }
    column_searchable_list = ["code", "name"]
    column_default_sort = [("office_id", False), ("sort_order", False)]
    form_columns = ["office", "code", "name", "ticket_prefix", "notice", "sort_order", "active"]
    form_args = {
        "office": {"validators": [InputRequired("请选择所属网点。")]},
        "code": {"filters": [strip],
                 "validators": [Regexp(rules.BUSINESS_CODE_RE, message=rules.BUSINESS_CODE_RULE)]},
        "name": {"filters": [strip]},
        "ticket_prefix": {"filters": [strip], "validators": [
            Regexp(rules.TICKET_PREFIX_RE, message=rules.TICKET_PREFIX_RULE)]},
    }
    form_widget_args = {"notice": {"rows": 6}}

    def check(self, model):
        rules.check_business_type(model)


class SlotTemplateView(BackOfficeView):
    column_list = ["office", "start_time", "end_time", "capacity", "active"]
    column_labels = {
        "office": "所属网点", "start_time": "开始时间", "end_time": "结束时间",
        "capacity": "名额", "active": "启用",
    }
    column_descriptions = {
        "start_time": "时:分:秒，如 08:30:00",
        "end_time": "须晚于开始时间，如 09:29:59",
        "capacity": f"每天该时段可预约的人数（0-{rules.MAX_CAPACITY}）",
    }
    column_default_sort = [("office_id", False), ("start_time", False)]
    form_columns = ["office", "start_time", "end_time", "capacity", "active"]
    form_args = {
        "office": {"validators": [InputRequired("请选择所属网点。")]},
        "end_time": {"validators": [end_after_start]},
        "capacity": {"validators": [NumberRange(
            min=0, max=rules.MAX_CAPACITY,
            message=f"名额须为0-{rules.MAX_CAPACITY}之间的整数。")]},
    }

    def check(self, model):
        rules.check_slot_template(model)

    def after_model_change(self, form, model, is_created):
        """Future days already prepared (号源) follow the template's new capacity."""
        if not is_created:
            slot_rules.apply_template_capacity(model)
            db.session.commit()


class CalendarDayView(BackOfficeView):
    """节假日与调休: the operator's dates override the holiday package (APT-6)."""

    column_list = ["day", "kind", "note"]
    column_labels = {"day": "日期", "kind": "类型", "note": "说明"}
    column_formatters = {"kind": lambda v, c, m, n: DAY_KINDS.get(m.kind, m.kind)}
    column_default_sort = ("day", True)
    form_columns = ["day", "kind", "note"]
    form_choices = {"kind": list(DAY_KINDS.items())}
    column_descriptions = {
        "day": ("优先于国家法定节假日数据（chinese_calendar 收录 {}-{} 年）；{} 年起的节假日与调休"
                "请在此录入，未录入的日期按周末休息计算；也可录入临时闭厅").format(
                    *hall_calendar.package_years(), hall_calendar.package_years()[1] + 1),
        "note": "如：元旦、春节调休上班、临时闭厅",
    }
    form_args = {"day": {"validators": [InputRequired("请选择日期。")]},
                 "note": {"filters": [strip]}}



class BookingSlotView(BackOfficeView):
    """号源: one slot of one date; the capacity of that date can be changed here."""

    can_create = False
    column_list = ["office", "day", "start_time", "end_time", "capacity", "booked"]
    column_labels = {"office": "网点", "day": "日期", "start_time": "开始", "end_time": "结束",
                     "capacity": "名额", "booked": "已预约"}
    column_filters = ["day", "office.code"]
    column_default_sort = [("day", False), ("start_time", False)]
    form_columns = ["capacity"]
    column_descriptions = {"capacity": "调整该日期该时段的名额；不能少于已预约人数"}
    form_args = {"capacity": {"validators": [NumberRange(
        min=0, max=rules.MAX_CAPACITY, message=f"名额须为0-{rules.MAX_CAPACITY}之间的整数。")]}}

    def check(self, model):
        if model.capacity is None or model.capacity < model.booked:
            raise rules.Rejected(f"名额不能少于已预约人数（{model.booked}）。")


class HallCounterView(BackOfficeView):
    """柜台窗口 and the business types each serves (APT-8)."""

    column_list = ["office", "name", "business_types", "sort_order", "active"]
    column_labels = {"office": "所属网点", "name": "窗口名称", "business_types": "办理业务",
                     "sort_order": "排序", "active": "启用"}
    form_columns = ["office", "name", "business_types", "sort_order", "active"]
    column_default_sort = [("office_id", False), ("sort_order", False)]
    form_args = {"office": {"validators": [InputRequired("请选择所属网点。")]},
                 "name": {"filters": [strip], "validators": [InputRequired("请输入窗口名称。")]}}

    def check(self, model):
        office_id = model.office.id if model.office is not None else model.office_id
        if any(b.office_id != office_id for b in model.business_types):
            raise rules.Rejected("只能选择本网点的业务类型。")


def _roles(view, context, model, name):
    return model.role_labels


def _lock_state(view, context, model, name):
    left = staff_accounts.minutes_left(model)
    if left:
        return Markup('<span class="badge badge-danger">锁定中（约{}分钟）</span>').format(left)
    if model.failed_logins:
        return escape(f"失败 {model.failed_logins} 次")
    return ""


def _when(view, context, model, name):
    return local_time(getattr(model, name))


class StaffUserView(BackOfficeView):
    """Staff accounts. The hash is never shown; the password is set, never read."""

    column_list = ["username", "display_name", "roles", "office", "active", "lock",
                   "last_login_at"]
    column_labels = {
        "username": "用户名", "display_name": "姓名", "roles": "角色", "office": "所属网点",
        "active": "启用", "lock": "登录锁定", "last_login_at": "最近登录",
        "password": "密码", "reset_lock": "解除登录锁定",
    }
    column_formatters = {"roles": _roles, "lock": _lock_state, "last_login_at": _when}
    column_sortable_list = ["username", "display_name", "active", "last_login_at"]
    column_searchable_list = ["username", "display_name"]
    column_default_sort = "username"
    column_descriptions = {
        "username": "登录用，2-64位字母、数字、下划线、点或连字符",
        "active": "停用后该账号不能登录",
    }
    form_columns = ["username", "display_name", "office", "active"]
    form_args = {"username": {"filters": [strip]}, "display_name": {"filters": [strip]},
                 # WTForms 3.3 shows the blank choice's value ("__None") when it has no text.
                 "office": {"blank_text": "（不限网点）"}}
    form_widget_args = {"roles": {"class": "list-unstyled backoffice-roles"}}

    def get_create_form(self):
        class CreateForm(self.get_form()):
            roles = RolesField("角色", description="管理员拥有全部权限")
            password = PasswordInput("初始密码", validators=[
                InputRequired("请设置初始密码。"), password_policy],
                description="8-16位，至少包含字母、数字、符号中的两种")
        return CreateForm

    def get_edit_form(self):
        class EditForm(self.get_form()):
            roles = RolesField("角色", description="管理员拥有全部权限")
            password = PasswordInput("新密码", validators=[Optional(), password_policy],
                                     description="留空则不修改；8-16位，至少包含字母、数字、符号中的两种")
            reset_lock = Checkbox("解除登录锁定", description="清零失败次数并立即允许登录")
        return EditForm

    def on_model_change(self, form, model, is_created):
        try:
            staff_accounts.apply_admin_edit(
                current_user._get_current_object(), model,
                roles=form.roles.data, password=form.password.data,
                reset_lock=bool(getattr(form, "reset_lock", None) and form.reset_lock.data),
                is_new=is_created)
        except (staff_accounts.StaffRuleViolation, staff_accounts.PasswordRejected) as exc:
            raise ValidationError(str(exc))

    @action("unlock", "解除登录锁定", "确定解除所选员工的登录锁定吗？")
    def action_unlock(self, ids):
        users = db.session.query(StaffUser).filter(StaffUser.id.in_(ids)).all()
        for user in users:
            staff_accounts.reset_lockout(user)
        db.session.commit()
        flash(f"已解除 {len(users)} 个账号的登录锁定。", "success")


# --- Holder-meeting voting (V-1, V-2, V-9) -------------------------------------------

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
    column_formatters = {"opens_at": _when, "closes_at": _when}
    column_searchable_list = ["security_code", "security_name", "title"]
    column_default_sort = ("id", True)
    form_columns = ["security_code", "security_name", "title", "record_date", "opens_at",
                    "closes_at", "total_shares", "close_price", "has_overall", "notice"]
    form_args = {"security_code": {"filters": [strip]}, "security_name": {"filters": [strip]},
                 "title": {"filters": [strip]}}
    form_widget_args = {"notice": {"rows": 4}}

    def on_form_prefill(self, form, id):
        form.opens_at.data = vote_rules.to_local(form.opens_at.data)
        form.closes_at.data = vote_rules.to_local(form.closes_at.data)

    def on_model_change(self, form, model, is_created):
        model.opens_at = vote_rules.to_utc(form.opens_at.data)
        model.closes_at = vote_rules.to_utc(form.closes_at.data)
        changed = [] if is_created else [
            name for name in ("security_code", "record_date", "total_shares", "close_price",
                              "has_overall", "opens_at")
            if db.inspect(model).attrs[name].history.has_changes()]
        try:
            vote_rules.check_meeting(model, changed)
        except rules.Rejected as exc:
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

    column_list = ["proposal", "code", "title"]
    column_labels = {"proposal": "所属议案组", "code": "编号", "number": "序号（1 表示 N.01）",
                     "title": "议案/候选人名称"}
    column_formatters = {"code": _vote_code}
    column_default_sort = [("proposal_id", False), ("number", False)]
    form_columns = ["proposal", "number", "title"]
    form_args = {"proposal": {"validators": [InputRequired("请选择所属议案组。")]},
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
        closed = voting_meetings.phase(meeting) == voting_meetings.CLOSED
        result = vote_tally.tally(meeting) if closed else None
        count = db.session.execute(db.select(func.count(VoteBallot.id)).filter_by(
            meeting_id=meeting.id)).scalar_one()
        chain = receipt_chain.verify(meeting.id) if request.args.get("verify") else None
        return self.render("staff/admin/vote_result.html", meeting=meeting, result=result,
                           closed=closed, count=count, chain=chain, local_time=local_time,
                           tiers=vote_tally.TIER_KEYS, choices=CHOICES,
                           percent=vote_tally.percent)

    @expose("/<int:meeting_id>/export.<fmt>")
    def export(self, meeting_id, fmt):
        meeting = self._meeting(meeting_id)
        if voting_meetings.phase(meeting) != voting_meetings.CLOSED:
            flash("投票结束后方可导出结果。", "error")
            return redirect(url_for(".detail", meeting_id=meeting_id))
        result = vote_tally.tally(meeting)
        if fmt == "csv":
            data, mime = vote_tally.export_csv(result), "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            data = vote_tally.export_xlsx(result)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            abort(404)
        name = f"vote_{meeting.security_code}_{meeting.id}.{fmt}"
        return Response(data, mimetype=mime,
                        headers={"Content-Disposition": f"attachment; filename={name}"})


# --- Wiring --------------------------------------------------------------------------

def _init_babel(app):
    """Flask-Admin's own Chinese (its zh_Hans_CN catalogue) when Flask-Babel is present."""
    try:
        from flask_babel import Babel
    except ImportError:  # Flask-Admin falls back to English for its own words
        return
    if "babel" not in app.extensions:
        Babel(app, locale_selector=lambda: "zh_Hans_CN")


def init_app(app):
    """One Admin per app (tests build many apps), so views never share blueprints."""
    _init_babel(app)
    admin = Admin(name="后台管理", url="/admin", translations_path=str(TRANSLATIONS),
                  index_view=BackOfficeHome(name="概览", url="/admin"),
                  theme=Bootstrap4Theme(base_template="staff/admin/base.html"))
    admin.add_view(OfficeView(Office, db, name="办理地区/网点", endpoint="office"))
    admin.add_view(BusinessTypeView(BusinessType, db, name="业务类型",
                                    endpoint="businesstype"))
    admin.add_view(SlotTemplateView(SlotTemplate, db, name="预约时段",
                                    endpoint="slottemplate"))
    admin.add_view(CalendarDayView(CalendarDay, db, name="节假日与调休", endpoint="calendarday"))
    admin.add_view(BookingSlotView(BookingSlot, db, name="号源", endpoint="bookingslot"))
    admin.add_view(HallCounterView(HallCounter, db, name="柜台窗口", endpoint="hallcounter"))
    admin.add_view(StaffUserView(StaffUser, db, name="员工账号", endpoint="staffuser"))
    admin.add_view(VoteMeetingView(VoteMeeting, db, name="持有人会议", endpoint="votemeeting",
                                   category="网络投票"))
    admin.add_view(VoteProposalView(VoteProposal, db, name="议案", endpoint="voteproposal",
                                    category="网络投票"))
    admin.add_view(VoteItemView(VoteItem, db, name="子议案/候选人", endpoint="voteitem",
                                category="网络投票"))
    admin.add_view(VoteHoldingView(VoteHolding, db, name="持有人名册", endpoint="voteholding",
                                   category="网络投票"))
    admin.add_view(VoteResultsView(name="投票结果", endpoint="voteresults", url="/admin/vote-results",
                                   category="网络投票"))
    from .backoffice_cs import add_views as add_customer_service_views
    add_customer_service_views(admin)
    admin.init_app(app)
    return admin
