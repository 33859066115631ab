"""Back office of the halls (APT-2, APT-6, APT-8): offices, business types, slot templates,
holidays and make-up days, per-date places (号源) and counters."""
from flask import flash, g
from wtforms.validators import InputRequired, ValidationError

from models.calendar import DAY_KINDS, HOLIDAY
from wechat_hall.extensions import db
from wechat_hall.services.appointments import calendar, closures
from wechat_hall.services.appointments import setup as rules
from wechat_hall.services.appointments import slots as slot_rules

from .base import BackOfficeView
from .forms import Checkbox, rule, strip


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
        "code": {"filters": [strip], "validators": [rule(rules.check_office_code)]},
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
        "code": {"filters": [strip], "validators": [rule(rules.check_business_code)]},
        "name": {"filters": [strip]},
        "ticket_prefix": {"filters": [strip], "validators": [rule(rules.check_ticket_prefix)]},
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
        "end_time": {"validators": [rule(rules.check_slot_times, "start_time")]},
        "capacity": {"validators": [rule(rules.check_capacity)]},
    }

    def check(self, model):
        rules.check_slot_template(model)

    def after_model_change(self, form, model, is_created):
        """Future days already prepared (号源) follow the template's new capacity."""
        if not is_created:
            slot_rules.apply_template_capacity(model)
            db.session.commit()


class CalendarDayView(BackOfficeView):
    """节假日与调休: the operator's dates override the national calendar (APT-6).

    Closing a day people booked is refused with their count until 确认取消该日预约 is
    ticked; then the closure, the cancellations and one WeChat message each commit
    together (services/appointments/closures.py). A closure entered by mistake is
    deleted (the only rows of the back office that may be): the day reopens."""

    can_delete = True
    column_list = ["day", "kind", "note"]
    column_labels = {"day": "日期", "kind": "类型", "note": "说明"}
    column_formatters = {"kind": lambda v, c, m, n: DAY_KINDS.get(m.kind, m.kind)}
    column_default_sort = ("day", True)
    form_columns = ["day", "kind", "note", "cancel_bookings"]
    form_choices = {"kind": list(DAY_KINDS.items())}
    form_extra_fields = {"cancel_bookings": Checkbox(
        "确认取消该日预约并通知预约人",
        description="该日已有预约时须勾选：保存后取消这些预约、释放号源，并通过微信模板消息逐一通知")}
    column_descriptions = {
        "day": ("优先于国家节假日安排：已导入的国务院通知（flask calendar import）、chinese-calendar"
                "（收录至 {} 年）、《全国年节及纪念日放假办法》的法定节假日；用于临时闭厅或"
                "通知导入前的调整。误录的日期可删除，该日随即恢复").format(calendar.package_years()[1]),
        "note": "如：临时闭厅、系统升级暂停受理；将出现在预约页面和取消通知中",
    }
    form_args = {"day": {"validators": [InputRequired("请选择日期。")]},
                 "note": {"filters": [strip]}}

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        g.pop("calendar_closure", None)
        if model.kind != HOLIDAY or model.day is None:
            return
        count = closures.booked_count(model.day)
        if not count:
            return
        if not form.cancel_bookings.data:
            raise ValidationError(closures.warning(model.day, count)
                                  + "请勾选“确认取消该日预约并通知预约人”后再保存。")
        g.calendar_closure = closures.cancel_day(model.day, model.note or "营业厅闭厅")

    def after_model_change(self, form, model, is_created):
        cancelled, told = g.pop("calendar_closure", (0, 0))
        if cancelled:
            rest = cancelled - told
            flash(f"{model.day:%Y-%m-%d}已闭厅：取消{cancelled}个预约，已通过微信通知{told}位预约人"
                  + (f"；{rest}个为网上营业厅预约、未绑定微信，请另行通知" if rest else "") + "。",
                  "success")

    def after_model_delete(self, model):
        status = calendar.day_status(model.day)
        now = "开放预约" if status.open else f"休息（{status.reason or '休息日'}，{status.source_label}）"
        flash(f"已删除{model.day:%Y-%m-%d}的设置，该日现为：{now}。"
              + ("已取消的预约不会恢复，预约人可重新预约。" if status.open else ""), "success")


class BookingSlotView(BackOfficeView):
    """号源: one slot of one date; the capacity of that date can be changed here."""

    can_create = False
    column_list = ["office", "day", "start_time", "end_time", "capacity", "booked"]
    column_labels = {"office": "网点", "day": "日期", "start_time": "开始", "end_time": "结束",
                     "capacity": "名额", "booked": "已预约", "office.code": "网点代码"}
    column_filters = ["day", "office.code"]
    column_default_sort = [("day", False), ("start_time", False)]
    form_columns = ["capacity"]
    column_descriptions = {"capacity": "调整该日期该时段的名额；不能少于已预约人数"}
    form_args = {"capacity": {"validators": [rule(rules.check_capacity)]}}

    def check(self, model):
        rules.check_booking_slot(model)


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
        rules.check_counter(model)
