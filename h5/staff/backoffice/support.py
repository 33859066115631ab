"""Back-office views of customer service (CS): queues, routing rules, knowledge base,
canned replies, business hours and agents (queues served, capacity).

Like the rest of the back office: admin only, SecureForm, nothing deleted (switched off
with 启用 instead, since conversations point at queues).
"""
from wtforms import SelectField
from wtforms.validators import InputRequired, Length, ValidationError

from models import CsAgent, CsBusinessHours, CsCannedReply, CsKnowledge, CsQueue, CsRule, StaffUser
from models.support import QUEUE_KINDS
from wechat_hall.extensions import db
from wechat_hall.services.errors import Rejected
from wechat_hall.services.support import admin as cs_rules
from wechat_hall.services.support import hours as cs_hours
from wechat_hall.services.support import routing

from .base import BackOfficeView
from .forms import rule, strip

WEEKDAYS = list(cs_hours.DAY_NAMES.items())  # 周一 … 周日, 法定节假日


class CsQueueView(BackOfficeView):
    column_list = ["code", "name", "kind", "description", "sort_order", "active"]
    column_labels = {"code": "队列代码", "name": "名称", "kind": "类别", "description": "说明",
                     "sort_order": "排序", "active": "启用"}
    column_formatters = {"kind": lambda v, c, m, n: QUEUE_KINDS.get(m.kind, m.kind)}
    column_default_sort = "sort_order"
    form_columns = ["code", "name", "kind", "description", "sort_order", "active"]
    form_overrides = {"kind": SelectField}
    form_args = {
        "code": {"filters": [strip], "validators": [rule(cs_rules.check_queue_code)]},
        "name": {"filters": [strip], "validators": [InputRequired("请填写名称。"), Length(max=32)]},
        "kind": {"choices": list(QUEUE_KINDS.items())},
    }


def _pattern_ok(form, field):
    error = routing.pattern_error(field.data)
    if error:
        raise ValidationError(error)


class CsRuleView(BackOfficeView):
    column_list = ["sort_order", "pattern", "queue", "note", "active"]
    column_labels = {"sort_order": "顺序", "pattern": "匹配规则（正则表达式）", "queue": "进入队列",
                     "note": "说明", "active": "启用"}
    column_descriptions = {"pattern": "用 | 分隔关键词，如 投票|股东大会；按顺序逐条匹配，先匹配者生效",
                           "sort_order": "数字小的先匹配"}
    column_default_sort = "sort_order"
    form_columns = ["sort_order", "pattern", "queue", "note", "active"]
    form_args = {"pattern": {"filters": [strip], "validators": [_pattern_ok]},
                 "queue": {"validators": [InputRequired("请选择队列。")]}}


class CsKnowledgeView(BackOfficeView):
    column_list = ["queue", "question", "keywords", "sort_order", "active"]
    column_labels = {"queue": "队列", "question": "问题", "keywords": "关键词", "answer": "答案",
                     "sort_order": "排序", "active": "启用"}
    column_descriptions = {"keywords": "空格或逗号分隔；投资者的问题包含越多关键词越优先",
                           "queue": "留空则所有队列通用"}
    column_searchable_list = ["question", "keywords", "answer"]
    column_default_sort = [("queue_id", False), ("sort_order", False)]
    form_columns = ["queue", "question", "keywords", "answer", "sort_order", "active"]
    form_args = {"question": {"filters": [strip], "validators": [InputRequired("请填写问题。"), Length(max=128)]},
                 "keywords": {"filters": [strip], "validators": [InputRequired("请至少填写一个关键词。")]},
                 "answer": {"filters": [strip], "validators": [InputRequired("请填写答案。"),
                            Length(max=1500, message="答案请控制在1500字以内。")]},
                 "queue": {"blank_text": "（所有队列）"}}
    form_widget_args = {"answer": {"rows": 8}}


class CsCannedReplyView(BackOfficeView):
    column_list = ["shortcut", "title", "body", "active"]
    column_labels = {"shortcut": "快捷代码", "title": "标题", "body": "内容", "active": "启用"}
    column_descriptions = {"shortcut": "坐席输入 ::代码 即可使用，如 ::hello"}
    form_columns = ["shortcut", "title", "body", "active"]
    form_args = {"shortcut": {"filters": [strip], "validators": [rule(cs_rules.check_shortcut)]},
                 "title": {"filters": [strip], "validators": [InputRequired("请填写标题。")]},
                 "body": {"filters": [strip], "validators": [InputRequired("请填写内容。"),
                          Length(max=600, message="内容请控制在600字以内。")]}}


class CsBusinessHoursView(BackOfficeView):
    column_list = ["weekday", "opens", "closes", "active"]
    column_labels = {"weekday": "星期", "opens": "开始", "closes": "结束", "active": "启用"}
    column_formatters = {"weekday": lambda v, c, m, n: dict(WEEKDAYS).get(m.weekday, m.weekday)}
    column_descriptions = {"weekday": "没有时段的日子不提供人工服务，投资者会收到自动回复；"
                                      "“法定节假日”的时段为节假日值班时间（元旦、春节等，不论星期几），"
                                      "不设则节假日休息"}
    column_default_sort = [("weekday", False), ("opens", False)]
    form_columns = ["weekday", "opens", "closes", "active"]
    form_overrides = {"weekday": SelectField}
    form_args = {"weekday": {"choices": WEEKDAYS, "coerce": int},
                 "closes": {"validators": [rule(cs_hours.check_times, "opens")]}}

    def check(self, model):
        cs_hours.check_line(model.weekday, model.opens, model.closes)


class CsAgentView(BackOfficeView):
    column_list = ["staff", "queues", "capacity", "presence"]
    column_labels = {"staff": "坐席", "queues": "服务队列", "capacity": "接待上限",
                     "presence": "状态"}
    column_formatters = {"queues": lambda v, c, m, n: "、".join(q.name for q in m.queues)}
    form_columns = ["staff", "queues", "capacity"]
    form_args = {"capacity": {"validators": [rule(cs_rules.check_agent_capacity)]},
                 "staff": {"validators": [InputRequired("请选择员工。")],
                           "query_factory": lambda: db.session.query(StaffUser).filter(
                               StaffUser.roles.contains("agent") | StaffUser.roles.contains("admin"))}}

    def on_model_change(self, form, model, is_created):
        try:
            cs_rules.check_agent(model, is_created)
        except Rejected as exc:
            raise ValidationError(str(exc)) from None


def add_views(admin):
    admin.add_view(CsQueueView(CsQueue, db, name="客服队列", endpoint="csqueue", category="在线客服"))
    admin.add_view(CsRuleView(CsRule, db, name="分流规则", endpoint="csrule", category="在线客服"))
    admin.add_view(CsKnowledgeView(CsKnowledge, db, name="知识库", endpoint="csknowledge",
                                   category="在线客服"))
    admin.add_view(CsCannedReplyView(CsCannedReply, db, name="快捷短语", endpoint="cscanned",
                                     category="在线客服"))
    admin.add_view(CsBusinessHoursView(CsBusinessHours, db, name="服务时间", endpoint="cshours",
                                       category="在线客服"))
    admin.add_view(CsAgentView(CsAgent, db, name="客服坐席", endpoint="csagent",
                               category="在线客服"))
