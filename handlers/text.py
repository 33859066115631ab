"""Keyword replies (P-5). Anything else gets what the hall can do."""
from . import router
from .links import link

KEYWORDS = [
    (r"预约", "appointment", "业务预约：在线预约到营业厅办理业务，预约成功后凭二维码取号。"),
    (r"投票", "vote", "网络投票：查看可参加的持有人大会并投票。"),
    (r"排号|叫号|排队", "queue", "排号进度查询：输入排队码，查看目前等待人数。"),
    (r"电子凭证|凭证", "certificates", "电子凭证：证券持有余额、持有变更、冻结情况的电子签名PDF，发送至您的邮箱（每日最多5次）。"),
    (r"余额|持仓", "holdings", "证券持有余额：近一年内任一交易日的持有数据。"),
    (r"查询|一码通", "query", "证券查询：一码通、持有余额、变更、冻结、配号中签、红利税、放弃认购。"),
    (r"绑定|解绑|注册", "bind", "账户绑定：用手机号和短信验证码把账户绑定到微信。"),
    (r"客服|人工", "service", "在线客服：选择市场或业务系统，向客服咨询。"),
]

HELP = (
    "您好，这里是中国结算营业厅。您可以发送：\n"
    "“预约”—业务预约\n“排号”—排号进度查询\n“投票”—网络投票\n"
    "“查询”—证券查询\n“绑定”—账户绑定\n“客服”—在线客服\n"
    "或点击底部菜单。进入{hall}。"
)


def _keyword_handler(topic, intro):
    def handle(message):
        return f"{intro}\n请点击：{link(topic)}"
    handle.__name__ = f"keyword_{topic}"
    return handle


for pattern, topic, intro in KEYWORDS:
    router.text(pattern)(_keyword_handler(topic, intro))


@router.fallback
def anything_else(message):
    return HELP.format(hall=link("home"))


def _help_for_media(message):
    return "暂不支持识别图片、语音等消息。" + HELP.format(hall=link("home"))


for _kind in ("image", "voice", "video", "shortvideo", "location", "link"):
    router.message(_kind)(_help_for_media)
