"""Accounts end to end in chromium (ACC-1/3/7/8): register on the web hall, bind in the
WeChat simulator, activate the 一码通 by the reserved phone from the home grid, and recover
the password of the activated account on the web hall."""
import re

import pytest
from playwright.sync_api import expect

from models import DevMessage, HallUser
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

pytestmark = pytest.mark.browser

PHONE = "13800000088"
PASSWORD = "Hall@2026x"
WANG_RESERVED = "18900000024"


@pytest.fixture(autouse=True)
def readable_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "A")  # the live server runs in this process


def last_code(hall, phone):
    with hall.app_context():
        row = db.session.execute(db.select(DevMessage).filter_by(recipient=phone)
                                 .order_by(DevMessage.id.desc())).scalars().first()
        return re.search(r"验证码为(\d{6})", row.body).group(1)


def get_code(hall, frame, phone):
    """Tap 获取验证码 and read the SMS from the development inbox."""
    frame.locator(".hall-sms-btn").click()
    expect(frame.locator(".hall-sms-status")).to_contain_text("验证码已发送至")
    return last_code(hall, phone)


def the_user(hall):
    with hall.app_context():
        row = db.session.execute(db.select(HallUser).filter_by(phone=PHONE)).scalar_one()
        db.session.expunge(row)
        return row


def register_on_the_web(hall, browser):
    context = browser.new_context(base_url=hall.url, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    web = context.new_page()
    web.goto("/h5/account/register")
    expect(web.locator("h1")).to_have_text("用户注册")
    web.fill("#phone", PHONE)
    web.fill("#nickname", "老王")
    web.fill("#password", PASSWORD)
    web.fill("#confirm", PASSWORD)
    web.fill("#code", get_code(hall, web, PHONE))
    web.fill("#captcha", "AAAA")
    web.check("#agree")
    web.get_by_role("button", name="注册").click()
    expect(web.locator(".weui-msg__title")).to_have_text("注册成功")
    return context, web


def test_register_bind_activate_then_recover(hall, demo_data, browser, phone, artifact):
    context, web = register_on_the_web(hall, browser)
    web.screenshot(path=f"{artifact}--web-registered.png", full_page=True)
    context.close()

    # 账户绑定 in WeChat: phone + SMS code.
    phone.follow()
    phone.tap_menu("我的账户", "账户绑定")
    frame = phone.web("/h5/account/bind")
    frame.fill("#phone", PHONE)
    frame.fill("#code", get_code(hall, frame, PHONE))
    phone.screenshot("bind")
    frame.get_by_role("button", name="绑定").tap()
    frame = phone.web("/h5/")
    expect(frame.locator("#userbar")).to_contain_text("老王")
    assert the_user(hall).openid == phone.openid

    # 我的一码通 on the grid: confirm → 激活一码通 → reserved phone.
    phone.page.once("dialog", lambda dialog: dialog.accept())
    frame.locator('[data-feature="Q-1"]').tap()
    frame = phone.web("/h5/ymt/activate")
    expect(frame.get_by_text("温馨提示：仅支持个人用户绑定")).to_be_visible()
    frame.select_option("#id_type", "resident_id")
    frame.fill("#id_number", "211103198603040003")
    frame.get_by_role("button", name="下一步").tap()
    frame = phone.web("/h5/verify/methods")
    expect(frame.locator(".hall-ymt-card")).to_contain_text("211****0003")
    phone.screenshot("methods")
    frame.locator('[data-method="reserved_phone"]').tap()
    frame = phone.web("/h5/verify/phone")
    expect(frame.locator("#masked-phone")).to_have_text("189****0024")
    frame.fill("#code", get_code(hall, frame, WANG_RESERVED))
    frame.get_by_role("button", name="下一步").tap()
    frame = phone.web("/h5/verify/confirm")
    expect(frame.locator("#confirm-heading")).to_have_text("激活信息确认")
    expect(frame.locator("#confirm-rows")).to_contain_text("211****0003")
    phone.screenshot("activation-confirm")
    assert not the_user(hall).is_activated
    frame.get_by_role("button", name="确认").tap()
    frame = phone.web("/h5/ymt/done")
    expect(frame.locator(".weui-msg__title")).to_have_text("一码通已激活")
    phone.screenshot("activated")
    assert the_user(hall).is_activated

    # 找回密码 of the activated account, on the web hall.
    context = browser.new_context(base_url=hall.url, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    web = context.new_page()
    web.goto("/h5/account/login")
    web.get_by_role("link", name="找回密码").click()
    web.fill("#phone", PHONE)
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="下一步").click()
    expect(web).to_have_url(re.compile(r"/h5/account/recover/identity$"))
    web.select_option("#holder_type", "individual")
    web.select_option("#id_type", "resident_id")
    web.fill("#id_number", "211103198603040003")
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="提交").click()
    web.locator('[data-method="reserved_phone"]').click()
    web.fill("#code", get_code(hall, web, WANG_RESERVED))
    web.get_by_role("button", name="下一步").click()
    web.fill("#password", "Fresh@2026")
    web.fill("#confirm", "Fresh@2026")
    web.get_by_role("button", name="完成").click()
    expect(web.locator("#confirm-heading")).to_have_text("找回密码信息确认")
    web.get_by_role("button", name="确认").click()
    expect(web.locator(".weui-msg__desc")).to_have_text("密码已重置，请使用新密码登录。")
    web.get_by_role("link", name="立即登录").click()
    web.fill("#phone", PHONE)
    web.fill("#password", "Fresh@2026")
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="登录").click()
    expect(web.locator("#userbar")).to_contain_text("*安")
    web.screenshot(path=f"{artifact}--web-after-recovery.png", full_page=True)
    context.close()


def test_wechat_registration_in_two_steps(hall, phone):
    phone.follow()
    phone.tap_menu("我的账户", "账户注册")
    frame = phone.web("/h5/account/register")
    frame.fill("#phone", PHONE)
    frame.fill("#code", get_code(hall, frame, PHONE))
    frame.check("#agree")
    phone.screenshot("step1")
    frame.get_by_role("button", name="下一步").tap()
    frame = phone.web("/h5/account/register/password")
    frame.fill("#password", PASSWORD)
    frame.fill("#confirm", PASSWORD)
    frame.get_by_role("button", name="下一步").tap()
    frame = phone.web("/h5/account/register/done")
    expect(frame.get_by_text("该账号已与当前微信绑定")).to_be_visible()
    frame.get_by_role("button", name="立即登录").tap()
    frame = phone.web("/h5/")
    expect(frame.locator("#userbar")).to_contain_text("138****0088")
    phone.tap_menu("我的账户", "个人信息")
    frame = phone.web("/h5/profile")
    expect(frame.locator("#profile-phone")).to_have_text("138****0088")
    phone.screenshot("profile")


def last_mail_code(hall, address):
    with hall.app_context():
        row = db.session.execute(db.select(DevMessage).filter_by(
            channel="email", recipient=address).order_by(DevMessage.id.desc())).scalars().first()
        return re.search(r"验证码为(\d{6})", row.body).group(1)


def test_email_set_on_the_profile_then_password_recovered_by_it(hall, demo_data, browser,
                                                                   artifact):
    """个人基本信息 → 电子邮箱: the address is kept only with the code mailed to it; then
    找回密码 with that address instead of the phone (an account not yet activated: straight
    to the new password)."""
    address = "laowang@example.com"
    context, web = register_on_the_web(hall, browser)
    web.goto("/h5/account/login")
    web.fill("#phone", PHONE)
    web.fill("#password", PASSWORD)
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="登录").click()
    expect(web.locator("#userbar")).to_contain_text("老王")
    web.goto("/h5/profile")
    expect(web.locator("#profile-email")).to_contain_text("未设置")
    web.locator("#profile-email").click()
    expect(web.locator("#email-current")).to_contain_text("未设置")
    expect(web.locator("nav.hall-crumb")).to_have_text("当前位置：首页 > 用户中心 > 电子邮箱")
    web.fill("#email", address)
    web.locator(".hall-sms-btn").click()
    expect(web.locator(".hall-sms-status")).to_contain_text("请查收邮件")
    web.fill("#code", last_mail_code(hall, address))
    web.screenshot(path=f"{artifact}--web-email.png", full_page=True)
    web.get_by_role("button", name="保存").click()
    expect(web.locator("#profile-email")).to_contain_text("l***g@example.com")
    assert the_user(hall).email == address
    context.close()

    context = browser.new_context(base_url=hall.url, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    web = context.new_page()
    web.goto("/h5/account/recover")
    web.fill("#phone", address)
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="下一步").click()
    expect(web.locator("#recover-email-sent")).to_contain_text("l***g@example.com")
    web.fill("#code", last_mail_code(hall, address))
    web.screenshot(path=f"{artifact}--web-recover-email.png", full_page=True)
    web.get_by_role("button", name="下一步").click()
    web.fill("#password", "Mailed@2026")
    web.fill("#confirm", "Mailed@2026")
    web.get_by_role("button", name="完成").click()
    expect(web.locator("#confirm-heading")).to_have_text("找回密码信息确认")
    web.get_by_role("button", name="确认").click()
    expect(web.locator(".weui-msg__desc")).to_have_text("密码已重置，请使用新密码登录。")
    context.close()
