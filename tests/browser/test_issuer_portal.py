"""The issuer portal in chromium at 1280 px (ISS-2): 浦江科技's contact signs in with the
password and the TOTP code, applies for T1 + T5 for a shareholders' meeting with a PDF
attached (该笔业务申报成功), the issuer desk accepts it, the job delivers both registers to
the 上市公司信箱 and the contact downloads one. Every page of the portal and of the desk is
photographed on the way (test-artifacts/browser/)."""
from datetime import datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from models import IssuerContact
from tests import seeding
from tests.browser.conftest import TIMEOUT_MS, watch_csp
from tests.issuers.portal_helpers import PDF
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.queries import trading_days

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}


def _desktop(browser, hall):
    context = browser.new_context(base_url=hall.url, **DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context, watch_csp(context)


def test_apply_for_a_meeting_register_and_download_it(browser, hall, artifact, tmp_path):
    # A trading day at 10:00 in Shanghai: applications (8–17) and self-service (9:30–15) open.
    real_today = clock.to_local(datetime.utcnow()).date()
    day = trading_days.previous_trading_day(real_today)
    hall.app.config["CLOCK_NOW"] = clock.shanghai(day.year, day.month, day.day, 10, 0)
    try:
        seeding.load(hall.app, "demo")
        _flow(browser, hall, artifact, tmp_path, day)
    finally:
        hall.app.config.pop("CLOCK_NOW", None)


def _flow(browser, hall, artifact, tmp_path, day):
    record_date = trading_days.previous_trading_day(day, inclusive=False)
    with hall.app_context():
        secret = db.session.execute(db.select(IssuerContact.totp_secret)
                                    .filter_by(login="pujiang")).scalar_one()
        now = clock.timestamp()
    context, violations = _desktop(browser, hall)
    page = context.new_page()
    page.goto("/issuer/")
    expect(page.locator("h1")).to_have_text("发行人用户登录")
    page.screenshot(path=f"{artifact}--login.png")
    page.fill("input[name=login]", "pujiang")
    page.fill("input[name=password]", "Issuer@2026")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("h1")).to_have_text("第二步：动态口令")
    page.fill("input[name=code]", pyotp.TOTP(secret).at(now))
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".iss-flash-success")).to_contain_text("欢迎，陈静")
    page.screenshot(path=f"{artifact}--home.png")

    page.get_by_role("link", name="发行人查询证券持有人名册").click()
    page.fill("input[name=record_date]", record_date.isoformat())
    page.check("input[value=T1]")
    page.check("input[value=T5]")
    page.select_option("select[name=reason]", "召开股东大会")
    page.fill("input[name=meeting_date]", (day + timedelta(days=28)).isoformat())
    page.set_input_files("input[name=attachments]", files=[
        {"name": "股东大会通知公告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.screenshot(path=f"{artifact}--apply.png", full_page=True)
    page.get_by_role("button", name="发起申请").click()
    expect(page.locator(".iss-flash-success")).to_have_text("该笔业务申报成功")
    expect(page.locator("h1")).to_contain_text("待审核")
    page.screenshot(path=f"{artifact}--application.png", full_page=True)
    application_url = page.url

    desk_context, desk_violations = _desktop(browser, hall)
    desk = desk_context.new_page()
    desk.goto("/staff/login")
    desk.fill("input[name=username]", "issuer_desk")
    desk.fill("input[name=password]", "Desk@2026")
    desk.get_by_role("button", name="登录").click()
    desk.goto("/staff/issuers/")
    desk.screenshot(path=f"{artifact}--desk-list.png")
    desk.get_by_role("link", name=application_url.rsplit("/", 1)[1], exact=True).click()
    expect(desk.locator("dl")).to_contain_text("股东大会通知公告.pdf")
    desk.screenshot(path=f"{artifact}--desk-review.png", full_page=True)
    desk.get_by_role("button", name="受理").click()
    expect(desk.locator(".iss-flash-success")).to_contain_text("已受理")
    hall.run_jobs()

    page.get_by_role("link", name="上市公司信箱").click()
    rows = page.locator(".iss-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("申请")
    page.screenshot(path=f"{artifact}--mailbox.png", full_page=True)
    with page.expect_download() as download:
        page.locator(".iss-table tbody tr", has_text="T1").get_by_role("link", name="下载").click()
    name = download.value.suggested_filename
    assert name.startswith("t1600888") and f"{record_date:%Y%m%d}all." in name
    download.value.save_as(tmp_path / name)
    assert (tmp_path / name).stat().st_size > 1000

    for link, heading, shot in (
            ("我的申请", "我的名册查询申请", "applications"),
            ("持股5%以上股东每日持股变化名单", None, "major-holders"),
            ("持股5%以上股东每日持股变化明细", None, "major-holder-changes"),
            ("费用变动查询", None, "fees"), ("手机号码维护", None, "phones"),
            ("手机短信订阅", None, "subscriptions"), ("股东户数查询", None, "holder-count"),
            ("证券质押/司法冻结情况查询", None, "freezes"), ("股本结构查询", None, "structure"),
            ("非流通股非交易过户查询", None, "transfers"),
            ("发行人申请书面证明", None, "certificate-apply"),
            ("我的书面证明申请", None, "certificates")):
        page.locator("nav.iss-nav").get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading or link)
        page.screenshot(path=f"{artifact}--{shot}.png", full_page=True)
    # 董监高 (ISS-4): the demo's two declared persons, then the declarations page.
    page.locator("nav.iss-nav").get_by_role("link", name="董监高持股查询", exact=True).click()
    expect(page.locator("h1")).to_have_text("董监高持股限售情况查询")
    expect(page.locator(".iss-table")).to_contain_text("财务总监")
    page.screenshot(path=f"{artifact}--insider-holdings.png", full_page=True)
    page.get_by_role("link", name="董监高申报").click()
    expect(page.locator("h1")).to_have_text("董监高申报")
    page.screenshot(path=f"{artifact}--insiders.png", full_page=True)
    desk.get_by_role("link", name="名册访问记录").click()
    expect(desk.locator(".iss-table")).to_contain_text("陈静（pujiang）")
    desk.screenshot(path=f"{artifact}--desk-audit.png", full_page=True)
    desk.get_by_role("link", name="查询费账户").click()
    expect(desk.locator(".iss-table")).to_contain_text("云赛智联")
    desk.screenshot(path=f"{artifact}--desk-fees.png", full_page=True)
    context.close()
    desk_context.close()
    assert not violations and not desk_violations, violations + desk_violations
