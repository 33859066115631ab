"""Back office of the halls (APT-2, APT-6, APT-8): offices, business types, slot templates,
holidays and make-up days, per-date places (号源) and counters."""
from wtforms.validators import InputRequired

from models.calendar import DAY_KINDS
from wechat_hall.extensions import db
from wechat_hall.services.appointments import calendar
from wechat_hall.services.appointments import setup as rules
from wechat_hall.services.appointments import slots as slot_rules

from .base import BackOfficeView
from .forms import rule, strip


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
                    *calendar.package_years(), calendar.package_years()[1] + 1),
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
