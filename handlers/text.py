"""Text messages (P-5): short keywords get a link to their page; everything else, and
everything while the investor talks to customer service, goes to the customer-service
router (CS-1, CS-2, services/support/chat.py)."""
from wechat_hall.services.queries.certificates import DAILY_LIMIT
from wechat_hall.services.support import chat, conversations, open_index

from . import router
from .links import link

# A keyword reply answers a short message ("预约", "我要预约"); a longer text is a
# question ("一码通怎么激活") and goes to customer service, which can answer it.
KEYWORD_MAX = 6
KEYWORDS = [
    (r"预约", "appointment", "业务预约：在线预约到营业厅办理业务，预约成功后凭二维码取号。"),
    (r"投票", "vote", "网络投票：查看可参加的持有人大会并投票。"),
    (r"排号|叫号|排队", "queue", "排号进度查询：输入排队码，查看目前等待人数。"),
    (r"电子凭证|凭证", "certificates", "电子凭证：证券持有余额、持有变更、冻结情况的电子签名PDF，"
     f"发送至您的邮箱（每日最多{DAILY_LIMIT}次）。"),
    (r"余额|持仓", "holdings", "证券持有余额：近一年内任一交易日的持有数据。"),
    (r"查询|一码通", "query", "证券查询：一码通、持有余额、变更、冻结、配号中签、红利税、放弃认购。"),
    (r"绑定|解绑|注册", "bind", "账户绑定：用手机号和短信验证码把账户绑定到微信。"),
    (r"客服", "service", "在线客服：选择市场或业务系统，向客服咨询；直接发送问题，或发送“转人工”。"),
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
    router.text(rf"^(?=.{{1,{KEYWORD_MAX}}}$).*(?:{pattern})")(_keyword_handler(topic, intro))


@router.prefetch
def _open_conversation_probe(message):
    return open_index.probe(message.source) if message.type == "text" else None


def _in_customer_service(message):
    hint = getattr(message, "prefetched", {}).get("cs.open")
    return chat.takes_over(message.source, message.content, hint)


@router.takeover(_in_customer_service)
@router.fallback
def customer_service(message):
    """Routed, answered from the knowledge base, or handed to a person. Without any
    customer-service queue set up, what the hall can do."""
    if not conversations.has_queues():
        return HELP.format(hall=link("home"))
    reply = chat.handle_text(message.source, message.content)
    if reply and reply.endswith(chat.CHOOSE_ON_PAGE):
        reply += f"：{link('service')}"
    return reply


def _help_for_media(message):
    in_service = chat.media_in_conversation(message.source, message.type)
    if in_service:
        return in_service
    return "暂不支持识别图片、语音等消息，请用文字描述您的问题。" + HELP.format(hall=link("home"))


for _kind in ("image", "voice", "video", "shortvideo", "location", "link"):
    router.message(_kind)(_help_for_media)
