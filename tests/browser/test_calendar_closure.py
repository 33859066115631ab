"""The calendar in chromium: the booking form of late December, whose window reaches 2027
(元旦 closed by the law, days around it 待定); the back office closes a booked day (the
count, then 确认 → cancelled and told in WeChat) and removes the closure again."""
import re

import pytest
from playwright.sync_api import expect

from wechat_hall import clock

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def test_a_2027_window_and_a_booked_day_closed_and_reopened(demo_data, phone, browser, artifact):
    hall = demo_data
    hall.app.config["CLOCK_NOW"] = clock.shanghai(2026, 12, 28, 10, 0)
    try:
        phone.follow()
        phone.wait_for_reply()
        phone.tap_menu("业务办理", "业务预约")
        web = phone.web("/h5/appointments")
        web.get_by_text("申请预约").first.click()
        web.get_by_role("tab", name="上海").click()
        web.get_by_role("link", name="申请预约").click()
        web.wait_for_url(re.compile(r"/h5/appointments/apply"))
        expect(web.locator('#day option[value="2027-01-01"]')).to_have_text("2027-01-01 周五（元旦）")
        expect(web.locator('#day option[value="2027-01-01"]')).to_be_disabled()
        expect(web.locator('#day option[value="2027-01-04"]')).to_have_text("2027-01-04 周一（待定）")
        expect(web.locator("#calendar-note")).to_contain_text("2027年节假日安排尚未公布")
        web.select_option("#agent_type", "domestic")
        web.fill("#agent_name", "张三")
        web.fill("#agent_company", "测试证券公司")
        web.fill("#id_number", "110101199003071233")
        web.select_option("#business_type_id", label="质押业务")
        web.fill("#items", "1")
        web.select_option("#day", "2027-01-04")  # the slots are fetched for that day
        expect(web.locator('#template_id[data-day="2027-01-04"] option').nth(1)).to_have_text(
            re.compile(r"（余10）"))
        web.select_option("#template_id", index=1)
        web.check("#agree")
        phone.screenshot("form-2027")
        web.get_by_role("button", name="下一步").click()
        web.wait_for_url(re.compile(r"/h5/appointments/preview"))
        web.get_by_role("button", name="提交").click()
        expect(web.locator("h2.weui-msg__title")).to_have_text("预约成功")
        phone.close_web()

        admin = browser.new_context(base_url=hall.url, **DESKTOP).new_page()
        admin.goto("/staff/login")
        admin.fill("#username", "admin")
        admin.fill("#password", "Admin@2026")
        admin.get_by_role("button", name="登录").click()
        expect(admin.get_by_text("员工工作台").first).to_be_visible()
        admin.goto("/admin/calendarday/new/")
        admin.fill("#day", "2027-01-04")
        admin.locator("#s2id_kind, .select2-container").first.click()  # Flask-Admin's select2
        admin.locator(".select2-results li, .select2-results__option").filter(
            has_text="休息日").first.click()
        admin.fill("#note", "临时闭厅")
        admin.keyboard.press("Escape")  # the date picker
        admin.get_by_role("button", name="保存", exact=True).click()
        expect(admin.get_by_text("2027-01-04已有1个有效预约（未取号）")).to_be_visible()
        admin.screenshot(path=f"{artifact}--warning.png", full_page=True)
        admin.check("#cancel_bookings")
        admin.get_by_role("button", name="保存", exact=True).click()
        expect(admin.get_by_text("2027-01-04已闭厅：取消1个预约，已通过微信通知1位预约人。")).to_be_visible()
        admin.screenshot(path=f"{artifact}--closed.png", full_page=True)

        hall.run_jobs()
        told = phone.wait_for_reply(containing="临时闭厅，预约已取消")
        assert told.kind == "模板消息"

        admin.once("dialog", lambda dialog: dialog.accept())
        admin.locator('form[action="/admin/calendarday/delete/"] button').first.click()
        expect(admin.get_by_text("已删除2027-01-04的设置，该日现为：开放预约。")).to_be_visible()
        admin.screenshot(path=f"{artifact}--reopened.png", full_page=True)
        admin.context.close()
    finally:
        hall.app.config["CLOCK_NOW"] = None
