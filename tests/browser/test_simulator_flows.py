"""End to end through the WeChat simulator: follow, the menus, a keyword, a retry, and a
message the app sends later — in chromium, on a phone-sized screen."""
import json

import pytest
from playwright.sync_api import expect

from wechat_hall.extensions import db
from wechat_hall.masking import mask_openid
from wechat_hall.services.appointments import offices
from wechat_hall.services.wechat import menus, messages

pytestmark = pytest.mark.browser

UNKNOWN_MENU = "该菜单暂不可用"  # handlers.events.on_unknown_click
KNOWN = "已识别您的微信身份"


def _buttons(kind):
    """Every ``kind`` button of menus.json as (names to tap, the button), for parametrize."""
    menu = json.loads(menus.MENU_FILE.read_text(encoding="utf-8"))
    params = []
    for top in menu["button"]:
        for button in top.get("sub_button") or [top]:
            if button.get("type") == kind:
                names = (top["name"],) if button is top else (top["name"], button["name"])
                params.append(pytest.param(names, button, id="/".join(names)))
    return params


# What a sensible answer to each CLICK key says (a new key needs its line here).
CLICK_ANSWERS = {
    "QUERY_SERVICES": "证券查询服务",
    "OFFICE_LIST": "营业网点",
    "FAQ": "常见问题",
    "CONTACT": "客服热线",
}

# The page each VIEW button must open for a new WeChat user (a new button needs its line):
# the path it ends at (menus link through the /h5/wx door, which asks WeChat who the user
# is) and the <h1> it shows.
VIEW_PAGES = {
    "账户注册": ("/h5/account/register", "账户注册"),
    "账户绑定": ("/h5/account/bind", "账户绑定"),
    "个人信息": ("/h5/account/login", "账户登录"),  # nobody signed in yet
    "服务大厅": ("/h5/", "服务大厅"),
    "业务预约": ("/h5/appointments", "业务预约"),
    "排号进度查询": ("/h5/queue", "查询叫号进度"),  # the seed's title (图 2.4.3.1)
    "网络投票": ("/h5/account/login", "账户登录"),  # voting needs an activated 一码通
    "在线客服": ("/h5/service", "在线客服"),
}
WECHAT_CHANNEL = 'meta[name="hall-channel"][content="wechat"]'


def test_following_gets_a_welcome_naming_the_three_menus(phone):
    expect(phone.page.get_by_role("button", name="关注公众号")).to_be_visible()
    assert not phone.is_following()

    phone.follow()

    welcome = phone.wait_for_reply()
    assert welcome.kind == "被动回复"
    assert welcome.startswith("欢迎关注中国结算营业厅")
    for menu in ("我的账户", "业务办理", "公共服务"):
        assert f"【{menu}】" in welcome
    assert "你关注了公众号" in phone.notes()
    assert phone.menu_names() == ["我的账户", "业务办理", "公共服务"]


def test_unfollowing_gets_no_reply_and_shows_the_follow_card_again(phone):
    phone.follow()

    phone.unfollow()

    assert phone.notes()[-2] == "你取消了关注"
    assert phone.notes()[-1].startswith("公众号未回复（success）")
    assert not phone.is_following()


@pytest.mark.parametrize("names, button", _buttons("click"))
def test_every_click_button_gets_a_sensible_answer(demo_data, phone, names, button):
    phone.follow()

    phone.tap_menu(*names)

    answer = phone.wait_for_reply()
    assert answer.kind == "被动回复"
    assert answer.strip() and UNKNOWN_MENU not in answer
    assert button["key"] in CLICK_ANSWERS, f"add what {button['key']} should answer"
    assert CLICK_ANSWERS[button["key"]] in answer
    if button["key"] == "OFFICE_LIST":
        with demo_data.app_context():
            demo_offices = [office.name for office in offices.active_offices()]
        assert demo_offices and all(name in answer for name in demo_offices)
    for text, href in phone.last_reply_links().items():
        assert href.startswith(demo_data.url + "/h5/"), f"link {text} goes to {href}"
    assert f"点击菜单「{button['name']}」" in phone.notes()


@pytest.mark.parametrize("names, button", _buttons("view"))
def test_every_view_button_opens_its_page_knowing_the_user(phone, names, button):
    assert button["name"] in VIEW_PAGES, f"add the page {button['name']} should open"
    assert button["url"].startswith("{PUBLIC_BASE_URL}/h5/wx/")
    path, heading = VIEW_PAGES[button["name"]]
    phone.follow()

    phone.tap_menu(*names)

    page = phone.web(path)
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(WECHAT_CHANNEL)).to_have_count(1)
    expect(phone.page.locator("#web-title")).to_have_text(page.title())
    assert f"打开网页「{button['name']}」" in phone.notes()


def test_keyword_booking_links_to_the_booking_page_knowing_the_user(phone, hall):
    phone.follow()

    phone.type("预约")

    answer = phone.wait_for_reply()
    assert answer.startswith("业务预约")
    assert phone.last_reply_links() == {"业务预约": hall.url + "/h5/wx/appointments"}
    phone.screenshot("reply")
    page = phone.open_link_in_reply("业务预约")
    expect(page.locator("h1")).to_have_text("业务预约")
    expect(page.get_by_text(f"{KNOWN}（{mask_openid(phone.openid)}）")).to_be_visible()


def test_a_retried_push_gets_the_same_reply(phone):
    phone.follow()
    phone.type("预约")
    first = phone.wait_for_reply()

    verdict = phone.resend_last()

    assert verdict == "回复与第一次相同（去重生效）"
    assert phone.wait_for_reply() == first
    assert any(note.startswith("重发上一条推送（MsgId ") for note in phone.notes())
    expect(phone.page.locator("#resend-result")).to_contain_text("回复与第一次相同")


def test_a_retried_menu_tap_gets_the_same_reply(phone):
    """Events have no MsgId: WeChat's retry repeats FromUserName + CreateTime + event."""
    phone.follow()
    phone.type("你好")
    phone.wait_for_reply()
    phone.tap_menu("公共服务", "联系我们")
    first = phone.wait_for_reply()

    assert phone.resend_last() == "回复与第一次相同（去重生效）"
    assert phone.wait_for_reply() == first
    assert any(note.startswith("重发上一条推送（同一事件、") for note in phone.notes())


def test_each_simulated_user_has_their_own_conversation(phone):
    phone.follow()
    first_user = phone.openid
    phone.type("预约")
    booking = phone.wait_for_reply()

    phone.open(nickname="张三")
    assert phone.nickname == "张三" and phone.openid != first_user
    assert not phone.is_following() and phone.replies() == []

    phone.open(openid=first_user)
    assert phone.is_following()
    assert phone.replies()[-1] == booking


def test_a_message_the_app_sends_later_appears_without_reloading(phone, hall):
    phone.follow()
    phone.page.evaluate("window.stillTheSamePage = true")

    with hall.app_context():
        messages.queue_text(phone.openid, "您的业务已办结，感谢您的耐心等待。")
        db.session.commit()
    hall.run_jobs()

    message = phone.wait_for_reply(containing="您的业务已办结")
    assert message.kind == "客服消息"
    assert phone.page.evaluate("window.stillTheSamePage") is True
