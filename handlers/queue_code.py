"""A 排队码 sent in the chat (APT-9): the progress, without opening the page."""
from wechat_hall.services.appointments import progress

from . import router
from .links import link


@router.text(r"^\s*\d{10}\s*$")
def queue_code(message):
    try:
        ticket = progress.find_today(message.content.strip(), f"openid:{message.source}")
    except progress.Refused as exc:
        return f"{exc}\n也可进入{link('queue')}，选择地区后输入排队码。"
    result = progress.progress(ticket)
    if ticket.status == "waiting":
        state = f"目前等待人数：{result['ahead']}人，预计约{result['minutes']}分钟。"
    elif ticket.status == "called":
        state = f"已叫号，请到{ticket.counter.name if ticket.counter else '窗口'}办理。"
    else:
        state = f"状态：{ticket.status_label}。"
    return (f"排队号 {ticket.label}（{ticket.business_type.name}，{ticket.office.name}）\n{state}\n"
            f"进入{link('queue')}可设置叫号提醒。")
