"""The web hall in chromium (issue 16): the same pages in two layouts — the desktop web
hall at 1280 px (the seed's header, menus, breadcrumbs, full-width tables) and the phone
layout — walked by 王安 (activated) and by a nominee account through the seed's voting
path; axe-core on the key pages of both; the 大字版 switch and its memory."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from models import HallUser, YmtAccount
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

from tests.browser.conftest import IPHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

PHONE, PASSWORD = "13900000024", "Hall@2026x"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}
LAYOUTS = {"desktop": DESKTOP, "phone": IPHONE}
AXE = Axe()


@pytest.fixture(autouse=True)
def readable_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "A")


def wang_an(hall):
    with hall.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number="180312600024")
                                 ).scalar_one()
        user = HallUser(phone=PHONE, ymt_account=ymt, activated_at=utcnow())
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def no_serious_violations(page, where):
    """axe-core on the page as it is: nothing serious or critical."""
    violations = AXE.run(page).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{where}: {bad}"


def open_layout(browser, hall, layout):
    context = browser.new_context(base_url=hall.url, **LAYOUTS[layout])
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def log_in(page, phone, password):
    page.goto("/h5/account/login")
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.fill("#captcha", "AAAA")
    page.locator("form button[type=submit]", has_text="登录").click()
    expect(page).to_have_url(f"{page.url.split('/h5/')[0]}/h5/")


def from_menu(page, layout, section, entry, phone_path):
    """The desktop opens a page from the header's menu; the phone layout has none (the
    grid and links are its way), so it goes to the page."""
    if layout == "desktop":
        item = page.locator(".webhall-nav__item", has_text=section)
        item.hover()
        item.get_by_role("link", name=entry, exact=True).click()
    else:
        page.goto(phone_path)


@pytest.mark.parametrize("layout", ["desktop", "phone"])
def test_the_web_hall_in_both_layouts(hall, demo_data, browser, artifact, layout):
    wang_an(hall)
    context, page = open_layout(browser, hall, layout)
    desktop = layout == "desktop"
    page.goto("/h5/")
    nav = page.locator(".webhall-nav")
    if desktop:
        expect(nav).to_be_visible()
        expect(nav.locator(".webhall-nav__top")).to_have_text(
            ["首页", "查询服务 ▾", "业务预约 ▾", "网络投票", "用户中心 ▾"])
        expect(page.locator(".hall-back")).to_have_count(0)
    else:
        expect(nav).to_be_hidden()
        expect(page.locator(".hall-header h1")).to_be_visible()
    no_serious_violations(page, f"{layout} home")
    log_in(page, PHONE, PASSWORD)
    no_serious_violations(page, f"{layout} home, signed in")
    page.screenshot(path=f"{artifact}--home.png")

    from_menu(page, layout, "用户中心", "登录密码", "/h5/account/password")
    expect(page.locator(".hall-crumb")).to_have_text("当前位置：首页 > 用户中心 > 登录密码")
    expect(page.get_by_role("button", name="修改")).to_be_visible()
    no_serious_violations(page, f"{layout} 登录密码")
    page.screenshot(path=f"{artifact}--password.png")

    from_menu(page, layout, "查询服务", "证券持有余额", "/h5/query/holdings")
    expect(page.locator(".hall-crumb")).to_have_text("当前位置：首页 > 查询服务 > 证券持有余额")
    expect(page.locator("#results thead th")).to_have_count(12)
    expect(page.locator("#results")).to_contain_text("招商银行")
    wide = page.evaluate("""() => {
        const wrap = document.querySelector('.hall-table-wrap');
        return {wrap: wrap.clientWidth, table: document.querySelector('#results').scrollWidth,
                page: document.documentElement.scrollWidth, view: window.innerWidth};
    }""")
    if desktop:  # all 12 columns at full width, no sideways scrolling
        assert wide["table"] <= wide["wrap"] and wide["page"] <= wide["view"], wide
        assert wide["wrap"] > 1000, wide
    else:  # the phone scrolls the table inside its box, never the page
        assert wide["page"] <= wide["view"], wide
    no_serious_violations(page, f"{layout} 证券持有余额")
    page.screenshot(path=f"{artifact}--holdings.png", full_page=True)

    # 网络投票 → 我的投票 → 投票 → 投票前页 → 我要投票 (seed 三.1.1)
    if desktop:
        page.locator(".webhall-nav").get_by_role("link", name="网络投票").click()
    else:
        page.goto("/h5/")
        page.locator('[data-feature="V-3"]').click()
    expect(page).to_have_url(f"{hall.url}/h5/votes/hall")
    no_serious_violations(page, f"{layout} 网络投票")
    page.get_by_role("link", name="我的投票").click()
    entry = page.locator(".vote-list a", has_text="浦江科技2026年第一次持有人会议")
    expect(entry).to_contain_text("投票")
    no_serious_violations(page, f"{layout} 我的投票")
    entry.click()
    expect(page.locator(".hall-crumb")).to_have_text("当前位置：首页 > 网络投票 > 我的投票")
    no_serious_violations(page, f"{layout} 投票前页")
    page.get_by_role("link", name="我要投票").first.click()
    expect(page.locator(".vote-shares")).to_contain_text("5,000")
    no_serious_violations(page, f"{layout} ballot")
    page.screenshot(path=f"{artifact}--ballot.png")
    page.locator('input[name="overall"][value="for"]').check()
    page.locator(".vote-submit").click()
    expect(page.locator("#vote-confirm-title")).to_have_text("确定提交")
    # the confirmation's buttons stay inside its card, on a phone too (issue 16)
    edges = page.evaluate("""() => [document.querySelector('.vote-confirm').getBoundingClientRect(),
        ...[...document.querySelectorAll('.vote-confirm__ops .weui-btn')].map(
            b => b.getBoundingClientRect())].map(r => [r.left, r.right])""")
    card, buttons = edges[0], edges[1:]
    assert len(buttons) == 2 and all(card[0] <= b[0] and b[1] <= card[1] for b in buttons), edges
    no_serious_violations(page, f"{layout} 确定提交")
    context.close()


def test_a_nominee_votes_by_the_seed_path_on_the_desktop(hall, demo_data, browser, artifact):
    context, page = open_layout(browser, hall, "desktop")
    log_in(page, "13300880001", "Vote@2026x")
    page.locator(".webhall-nav").get_by_role("link", name="网络投票").click()
    page.get_by_role("link", name="我的投票").click()
    page.locator(".vote-list a", has_text="浦江科技2026年第一次持有人会议").click()
    mode = page.locator(".vote-mode").first
    expect(mode.get_by_label("录入投票明细")).to_be_checked()
    no_serious_violations(page, "nominee 投票前页")
    page.screenshot(path=f"{artifact}--before.png")
    mode.get_by_label("上传投票明细").check()
    mode.get_by_role("button", name="立即投票").click()
    expect(page).to_have_url(re.compile(r"mode=excel"))
    expect(page.get_by_text("上传投票模板说明", exact=True)).to_be_visible()
    no_serious_violations(page, "nominee upload")
    page.go_back()
    mode.get_by_label("录入投票明细").check()
    mode.get_by_role("button", name="立即投票").click()
    expect(page.locator("#holder_account")).to_be_visible()  # 录入投票明细
    no_serious_violations(page, "nominee typed entry")
    context.close()


def test_the_other_key_pages_pass_axe(hall, demo_data, browser):
    for layout in ("desktop", "phone"):
        context, page = open_layout(browser, hall, layout)
        for path in ("/h5/account/register", "/h5/account/login", "/h5/account/recover"):
            page.goto(path)
            no_serious_violations(page, f"{layout} {path}")
        page.goto("/h5/account/register")
        page.fill("#phone", "13900000077")
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.fill("#captcha", "AAAA")
        page.get_by_role("button", name="注册").click()  # refused: no SMS code
        expect(page.locator(".hall-field-error").first).to_be_visible()
        no_serious_violations(page, f"{layout} registration with errors")
        context.close()
    # activation and booking, signed in without a 一码通
    with hall.app_context():
        user = HallUser(phone="13900000078")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    for layout in ("desktop", "phone"):
        context, page = open_layout(browser, hall, layout)
        log_in(page, "13900000078", PASSWORD)
        page.goto("/h5/ymt/activate")
        no_serious_violations(page, f"{layout} activation")
        page.goto("/h5/appointments/notice")
        no_serious_violations(page, f"{layout} 预约说明")
        page.goto("/h5/appointments/apply?office=SH")
        expect(page.locator("#apply-form")).to_be_visible()
        no_serious_violations(page, f"{layout} 申请预约")
        context.close()
    # the service centre is a WeChat page: the simulator's OAuth names the user
    context, page = open_layout(browser, hall, "phone")
    page.goto("/h5/service")
    page.get_by_role("button", name="新建模拟用户并允许").click()
    expect(page).to_have_url(f"{hall.url}/h5/service")
    no_serious_violations(page, "service centre")
    context.close()
    context, page = open_layout(browser, hall, "desktop")
    page.goto("/staff/login")
    page.fill("#username", "admin")
    page.fill("#password", "Admin@2026")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".staff-tiles")).to_be_visible()
    no_serious_violations(page, "staff console")
    # the back office's date pickers and filters speak Chinese (issue 16)
    page.goto("/admin/calendarday/new/")
    page.locator("#day").click()
    picker = page.locator(".daterangepicker").first
    expect(picker).to_be_visible()
    expect(picker.locator("th", has_text="一").first).to_be_visible()
    assert "Su" not in picker.inner_text() and "Mo" not in picker.inner_text()
    context.close()


def test_large_text_is_remembered_without_personal_data(hall, browser):
    context, page = open_layout(browser, hall, "phone")
    page.goto("/h5/account/login")
    size = page.evaluate("() => [parseFloat(getComputedStyle(document.querySelector("
                         "'.weui-input')).fontSize), document.querySelector("
                         "'form button[type=submit]').getBoundingClientRect().height]")
    toggle = page.locator("footer .hall-large-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_class("hall-large")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    bigger = page.evaluate("() => [parseFloat(getComputedStyle(document.querySelector("
                           "'.weui-input')).fontSize), document.querySelector("
                           "'form button[type=submit]').getBoundingClientRect().height]")
    assert bigger[0] >= 20 > size[0] and bigger[1] >= 52 > size[1] - 1, (size, bigger)
    page.goto("/h5/")  # remembered on the next page
    expect(page.locator("html")).to_have_class("hall-large")
    expect(page.locator("body")).to_have_attribute("data-weui-mode", "care")
    no_serious_violations(page, "大字版 home")
    stored = page.evaluate("() => Object.assign({}, window.localStorage)")
    assert stored == {"hall-large": "1"}
    assert not [c for c in context.cookies() if "large" in c["name"]]
    page.locator("footer .hall-large-toggle").click()  # 标准版
    page.reload()
    expect(page.locator("html")).not_to_have_class("hall-large")
    assert page.evaluate("() => window.localStorage.length") == 0
    context.close()
