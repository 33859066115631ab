"""Issue 13 items 4 and 9 in chromium: the hall's pages pass their Content-Security-Policy
(the ``page`` fixture of every browser test fails on a violation; here pages opened in
contexts of their own are watched too), the policy is really enforced (an injected inline
script is refused and reported), staff pages cannot be framed by another site, and the SMS
button's captcha step-up works behind a busy address."""
import re

import pytest
from playwright.sync_api import expect

from models import DevMessage
from tests.browser.conftest import watch_csp
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(autouse=True)
def readable_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "A")  # the live server runs in this process


def test_the_policy_is_enforced_and_a_violation_is_reported(browser, hall):
    context = browser.new_context(base_url=hall.url, **DESKTOP)
    violations = watch_csp(context)
    web = context.new_page()
    web.goto("/h5/account/login")
    ran = web.evaluate("""() => {
        window.injected = false;
        const s = document.createElement('script');
        s.textContent = 'window.injected = true';
        document.body.appendChild(s);
        return window.injected;
    }""")
    assert ran is False  # the inline script did not run …
    web.wait_for_timeout(200)
    assert any("script-src" in v for v in violations), violations  # … and was reported
    context.close()


def test_key_pages_of_the_web_hall_and_the_back_office_pass_the_policy(browser, demo_data,
                                                                        artifact):
    context = browser.new_context(base_url=demo_data.url, **DESKTOP)
    violations = watch_csp(context)
    web = context.new_page()
    for path in ("/h5/", "/h5/account/login", "/h5/account/register", "/h5/service",
                 "/h5/queue/display/SH", "/h5/certificates/verify", "/staff/login"):
        web.goto(path)
        web.wait_for_load_state("networkidle")
    web.fill("#username", "admin")
    web.fill("#password", "Admin@2026")
    web.get_by_role("button", name="登录").click()
    for path in ("/staff/", "/staff/cs/", "/staff/cs/supervisor", "/admin/", "/admin/office/",
                 "/admin/office/edit/?id=1", "/admin/calendarday/", "/admin/staffuser/"):
        web.goto(path)
        web.wait_for_load_state("networkidle")
    web.screenshot(path=f"{artifact}.png", full_page=True)
    context.close()
    assert not violations, violations


def test_a_staff_page_cannot_be_framed_by_another_site(browser, hall):
    context = browser.new_context(**DESKTOP)
    violations = watch_csp(context)
    page = context.new_page()
    page.set_content(f'<iframe id="f" src="{hall.url}/staff/login" width="600"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    assert frame.locator("form").count() == 0  # the login form never showed in the frame
    assert any("frame-ancestors" in v for v in violations), violations  # refused, and said
    context.close()


def test_behind_a_busy_address_the_sms_button_asks_for_the_captcha(browser, hall, artifact):
    hall.app.config["SMS_DAILY_PER_IP"] = 0  # this address is past its brake already
    try:
        context = browser.new_context(base_url=hall.url, **DESKTOP)
        violations = watch_csp(context)
        web = context.new_page()
        web.goto("/h5/account/register")
        web.fill("#phone", "13800000077")
        web.locator(".hall-sms-btn").click()
        status = web.locator(".hall-sms-status")
        expect(status).to_contain_text("请输入图形验证码后再获取")
        step = web.locator(".hall-sms-captcha")
        expect(step).to_be_visible()
        expect(step.locator("img")).to_have_attribute("src", re.compile(r"captcha\.png\?for=sms"))
        step.locator("input").fill("AAAA")
        web.locator(".hall-sms-btn").click()
        expect(status).to_contain_text("验证码已发送至138****0077")
        web.screenshot(path=f"{artifact}.png", full_page=True)
        with hall.app_context():
            assert db.session.execute(db.select(DevMessage).filter_by(
                recipient="13800000077")).first() is not None
        context.close()
        assert not violations, violations
    finally:
        hall.app.config["SMS_DAILY_PER_IP"] = 20
