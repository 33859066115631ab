"""Online customer service end to end (CS-1..4): an investor asks in the simulator, an
agent in the console sees it and replies, the reply appears in the simulator's chat, the
agent resolves, the investor rates — two browsers, as two people would."""
from datetime import time

import pytest
from playwright.sync_api import expect

from models import CsBusinessHours
from wechat_hall.extensions import db

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1400, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def open_all_day(demo_data):
    """The demo hours are weekdays 8:30-17:00; tests run at any hour of any date (7 is the
    法定节假日 line)."""
    with demo_data.app_context():
        db.session.execute(db.delete(CsBusinessHours))
        for day in range(8):
            db.session.add(CsBusinessHours(weekday=day, opens=time(0), closes=time(23, 59, 59)))
        db.session.commit()
    return demo_data


@pytest.fixture
def console(browser, open_all_day, artifact):
    """The demo agent signed in to the console on a desktop-sized screen, online."""
    context = browser.new_context(base_url=open_all_day.url, **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/staff/login?next=/staff/cs/")
    page.locator("input[name=username]").fill("agent")
    page.locator("input[name=password]").fill("Agent@2026")
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url("**/staff/cs/")
    page.locator('button[data-presence="online"]').click()
    expect(page.locator("#presence-label")).to_have_text("在线")
    yield page
    page.screenshot(path=f"{artifact}--console-last.png", full_page=True)
    context.close()
    assert not errors, errors


def test_ask_reply_resolve_rate(open_all_day, phone, console, artifact):
    hall = open_all_day
    phone.follow()
    phone.wait_for_reply()

    # The knowledge base answers first …
    phone.type("一码通怎么激活")
    assert "完善客户资料" in phone.wait_for_reply()
    # … and 转人工 reaches a person.
    phone.type("转人工")
    assert "正在为您转接【账户】人工客服" in phone.wait_for_reply()
    hall.run_jobs()  # the assignment job (RQ needs a worker in tests)

    # The conversation appears in the console without reloading.
    console.evaluate("window.stillTheSamePage = true")
    item = console.locator("#mine-list .cs-item").first
    expect(item).to_contain_text("账户", timeout=10_000)
    assert console.evaluate("window.stillTheSamePage") is True
    item.locator("a").click()
    expect(console.locator("#thread")).to_contain_text("一码通怎么激活")
    expect(console.locator("#window")).to_contain_text("还可发送5条")

    # A new message from the investor appears while the agent looks.
    phone.type("我是用手机号认证的，收不到短信")
    expect(console.locator("#thread")).to_contain_text("收不到短信", timeout=10_000)

    # Canned reply by shortcut, then send: it arrives in the chat as a 客服消息.
    console.locator("#reply-text").press_sequentially("::hello ")
    expect(console.locator("#reply-text")).to_have_value("您好，很高兴为您服务，请问有什么可以帮您？")
    console.locator("#reply-text").fill("请确认开户预留手机号是否已停用；如已停用，可改用银联身份认证。")
    console.locator("#send").click()
    expect(console.locator("#window")).to_contain_text("还可发送4条")
    message = phone.wait_for_reply(containing="银联身份认证")
    assert message.kind == "客服消息"
    console.screenshot(path=f"{artifact}--console.png", full_page=True)

    # An internal note never reaches the investor.
    console.locator("#note-text").fill("已建议改用银联认证")
    console.locator("#add-note").click()
    expect(console.locator("#thread .cs-msg_note")).to_contain_text("已建议改用银联认证")

    # Resolve: the satisfaction question goes out while the window is open.
    console.locator("#resolve").click()
    expect(console.locator(".hall-flash-success")).to_contain_text("已向投资者发送满意度调查")
    assert "请对本次服务进行评价" in phone.wait_for_reply(containing="评价")
    phone.type("1")
    assert "感谢您的评价（非常满意）" in phone.wait_for_reply()
    expect(console.locator("#conv-rating")).to_contain_text("非常满意", timeout=10_000)
    phone.screenshot("chat")
    assert not any("已建议改用银联认证" in r for r in phone.replies())


def test_the_service_centre_in_the_phone(open_all_day, phone):
    phone.follow()
    phone.tap_menu("公共服务", "在线客服")
    frame = phone.web("/h5/service")
    expect(frame.get_by_role("heading", name="在线客服")).to_be_visible()
    frame.locator('button[data-queue="VOTE"]').click()
    expect(frame.locator(".hall-flash-success")).to_contain_text("已选择【投票】")
    frame.get_by_text("累积投票怎么投？").click()
    expect(frame.get_by_text("持股总数 × 当选数")).to_be_visible()
    phone.screenshot("service-centre")
    frame.locator("#ask-agent").click()
    expect(frame.locator("#cs-status")).to_contain_text("排队中")
    phone.screenshot("service-centre-waiting")
