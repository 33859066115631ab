"""Answers to the CLICK buttons of menus.json (every key there has one; a test checks)."""
from wechat_hall.services.appointments import offices

from . import router
from .links import link

QUERY_TOPICS = ["my_ymt", "holdings", "changes", "freezes", "ipo", "dividend_tax", "abandoned",
                "certificates"]


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
    lines = ["营业网点（工作日 8:30—17:00）："]
    for office in rows:
        lines.append(f"【{office.region}】{office.name}\n地址：{office.address}\n电话：{office.phone}")
    lines.append(f"到厅办理请先{link('appointment', '预约')}。")
    return "\n".join(lines)


@router.click("FAQ")
def faq(message):
    return ("常见问题：\n"
            "1. 怎样激活一码通？登录后进入“完善客户资料”，可用开户预留手机号、银联、交易报盘或临柜方式认证。\n"
            "2. 手机号一个月内最多变更三次。\n"
            "3. 电子凭证每人每天最多申请5次。\n"
            "4. 每日下午15:00停止预约次日的号源。\n"
            "5. 累积投票：表决权数=持股总数×当选数，可集中或分散投给候选人。\n"
            f"更多问题请{link('service', '咨询在线客服')}。")


@router.click("CONTACT")
def contact(message):
    return ("客服热线：4008-058-058（工作日 8:30—17:00）\n"
            f"也可{link('service', '在线咨询')}。")
