"""APT end to end in chromium: booked in WeChat → QR ticket → checked in at the kiosk →
progress and a reminder in WeChat → called and finished at the counter."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from wechat_hall import clock

pytestmark = pytest.mark.browser


def _staff_page(browser, hall, username, password):
    context = browser.new_context(base_url=hall.url, viewport={"width": 1100, "height": 900},
                                  locale="zh-CN")
    page = context.new_page()
    page.goto("/staff/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("员工工作台").first).to_be_visible()
    return page


def test_booked_checked_in_called_and_followed_in_wechat(demo_data, phone, browser, artifact):
    hall = demo_data
    phone.follow()
    phone.wait_for_reply()

    # 业务办理 → 业务预约 → 申请预约 → 上海 → the form.
    phone.tap_menu("业务办理", "业务预约")
    web = phone.web("/h5/appointments")
    web.get_by_text("申请预约").first.click()
    web.get_by_role("tab", name="上海").click()
    expect(web.get_by_text("上海·预约说明")).to_be_visible()
    web.get_by_role("link", name="申请预约").click()
    web.wait_for_url(re.compile(r"/h5/appointments/apply"))
    web.select_option("#agent_type", "domestic")
    web.fill("#agent_name", "张三")
    web.fill("#agent_company", "测试证券公司")
    web.fill("#id_number", "110101199003071233")
    web.select_option("#business_type_id", label="质押业务")
    web.fill("#items", "2")
    web.select_option("#template_id", index=1)
    web.check("#agree")
    phone.screenshot("form")
    web.get_by_role("button", name="下一步").click()

    # Preview with 业务办理须知, then 提交.
    web.wait_for_url(re.compile(r"/h5/appointments/preview"))
    expect(web.get_by_text("业务办理须知")).to_be_visible()
    expect(web.get_by_text("110****1233")).to_be_visible()
    phone.screenshot("preview")
    web.get_by_role("button", name="提交").click()

    # Success: the 预约码 and its QR code.
    expect(web.locator("h2.weui-msg__title")).to_have_text("预约成功")
    code = web.locator("#appointment-code").inner_text().strip()
    assert re.fullmatch(r"\d{10}", code)
    qr = web.locator("img.apt-code__qr")
    expect(qr).to_be_visible()
    web.wait_for_function("() => { const img = document.querySelector('img.apt-code__qr');"
                          " return img && img.complete && img.naturalWidth > 0; }")
    phone.screenshot("success")
    day_text = web.locator('[data-field="办理时间"]').inner_text()
    day = datetime.strptime(day_text[:19], "%Y-%m-%d %H:%M:%S")

    # The day comes: the clock moves to five minutes into the slot.
    hall.app.config["CLOCK_NOW"] = clock.to_utc(day + timedelta(minutes=5))
    try:
        kiosk = _staff_page(browser, hall, "kiosk", "Kiosk@2026")
        kiosk.goto("/staff/kiosk")
        kiosk.fill("#scan-code", code)
        kiosk.keyboard.press("Enter")  # what a scanner sends after the code
        expect(kiosk.locator("#ticket-label")).to_have_text("A001")
        query_code = kiosk.locator("#ticket-code").inner_text().strip()
        kiosk.screenshot(path=f"{artifact}--kiosk-ticket.png", full_page=True)

        # 排号进度查询 in WeChat: 0 ahead; ask to be reminded → the reminder arrives.
        phone.tap_menu("业务办理", "排号进度查询")
        web = phone.web("/h5/queue")
        web.select_option("#office", "SH")
        web.fill("#code", query_code)
        web.get_by_role("button", name="查询进展").click()
        expect(web.locator("#queue-label")).to_have_text("A001")
        expect(web.locator("#queue-ahead")).to_have_text("0")
        web.get_by_role("button", name="设置提醒").click()
        expect(web.get_by_text("提醒已通过微信发送")).to_be_visible()
        phone.screenshot("progress")
        hall.run_jobs()
        phone.close_web()
        reminder = phone.wait_for_reply(containing="A001")
        assert reminder.kind == "模板消息"

        # The counter calls A001 and finishes.
        counter = _staff_page(browser, hall, "counter", "Counter@2026")
        counter.goto("/staff/counter")
        counter.get_by_text("上海 · 1号窗口").click()
        counter.locator("#btn-next").click()
        expect(counter.locator("#current-label")).to_have_text("A001")
        counter.screenshot(path=f"{artifact}--counter.png", full_page=True)
        display = counter.context.new_page()
        display.goto("/h5/queue/display/SH")
        expect(display.locator('[data-label="A001"]')).to_be_visible()
        display.screenshot(path=f"{artifact}--display.png", full_page=True)

        phone.tap_menu("业务办理", "排号进度查询")
        web = phone.web("/h5/queue")
        web.fill("#code", query_code)
        web.select_option("#office", "SH")
        web.get_by_role("button", name="查询进展").click()
        expect(web.locator("#queue-status")).to_contain_text("请到1号窗口办理")

        counter.locator("#btn-finish").click()
        expect(counter.get_by_text("A001 已办结")).to_be_visible()

        # 我的预约 shows 已取号.
        phone.tap_menu("业务办理", "业务预约")
        web = phone.web("/h5/appointments")
        web.get_by_text("我的预约").first.click()
        expect(web.locator(f'[data-code="{code}"]')).to_contain_text("已取号")
        phone.screenshot("mine")
        kiosk.context.close()
        counter.context.close()
    finally:
        hall.app.config["CLOCK_NOW"] = None
