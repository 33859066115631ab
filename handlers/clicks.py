"""Answers to the CLICK buttons of menus.json (every key there has one; a test checks).

The figures in them (booking hours and cutoff, limits, customer-service hours) are read
from where each rule lives, so the chat says what the pages and the services do."""
from wechat_hall.services.accounts.hall_users import PHONE_CHANGE_RULE
from wechat_hall.services.appointments import offices, slots
from wechat_hall.services.queries.certificates import DAILY_LIMIT
from wechat_hall.services.support import conversations

from . import router
from .links import link

QUERY_TOPICS = ["my_ymt", "holdings", "changes", "freezes", "ipo", "dividend_tax", "abandoned",
                "certificates"]
HOTLINE = "4008-058-058"


@router.click("QUERY_SERVICES")
def query_services(message):
    return ("证券查询服务（需绑定并激活一码通）：\n"
            + "\n".join(link(topic) for topic in QUERY_TOPICS)
            + f"\n也可进入{link('home')}，在九宫格中选择。")


@router.click("OFFICE_LIST")
def office_list(message):
    rows = offices.active_offices()
    if not rows:
        return "暂无可预约的营业网点。"
    hours = offices.booking_hours()
    lines = ["营业网点："]
    for office in rows:
        line = f"【{office.region}】{office.name}\n地址：{office.address}\n电话：{office.phone}"
        if office.id in hours:
            line += f"\n预约时段：工作日 {hours[office.id]}"
        lines.append(line)
    lines.append(f"到厅办理请先{link('appointment', '预约')}。")
    return "\n".join(lines)


@router.click("FAQ")
def faq(message):
    return ("常见问题：\n"
            "1. 怎样激活一码通？登录后进入“完善客户资料”，可用开户预留手机号、银联、交易报盘或临柜方式认证。\n"
            f"2. 手机号{PHONE_CHANGE_RULE}。\n"
            f"3. 电子凭证每人每天最多申请{DAILY_LIMIT}次。\n"
            f"4. {slots.cutoff_rule()}。\n"
            "5. 累积投票：表决权数=持股总数×当选数，可集中或分散投给候选人。\n"
            f"更多问题请{link('service', '咨询在线客服')}。")


@router.click("CONTACT")
def contact(message):
    return (f"客服热线：{HOTLINE}\n"
            f"在线客服人工服务时间：{conversations.hours_text()}\n"
            f"也可{link('service', '在线咨询')}。")
