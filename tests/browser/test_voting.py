"""网络投票 in chromium (V-4/V-5/V-7): an activated WeChat user opens 网络投票 from the
menu and casts a ballot with a cumulative (选举型) proposal, watching the live
"您还有 N 表决权未分配" counter; a nominee institution opens the Excel upload on the
desktop web hall."""
import pytest
from playwright.sync_api import expect

from models import HallUser, VoteBallot, YmtAccount
from tests import seeding
from tests.voting.vote_helpers import HKSCC, WANG_AN, make_meeting
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def readable_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "A")


@pytest.fixture
def register(hall):
    """The demo register and the nominee institutions (before the phone writes anything)."""
    return seeding.load(hall.app, "nominees")


def _activated_wechat_user(hall, openid, ymt_number, phone):
    with hall.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number=ymt_number)).scalar_one()
        user = HallUser(phone=phone, openid=openid, bound_at=utcnow(), ymt_account_id=ymt.id,
                        activated_at=utcnow())
        user.set_password("Hall@2026x")
        db.session.add(user)
        db.session.commit()


def test_cumulative_ballot_with_the_live_counter(hall, register, phone):
    meeting = make_meeting(hall.app)
    phone.follow()
    _activated_wechat_user(hall, phone.openid, "180312600024", "13900000024")

    phone.tap_menu("业务办理", "网络投票")
    frame = phone.web("/h5/votes")
    expect(frame.locator("h1")).to_have_text("我的投票")
    expect(frame.locator(".vote-status").first).to_have_text("未投票")
    frame.get_by_text("600888 浦江科技").tap()
    frame = phone.web(f"/h5/votes/{meeting['id']}")
    frame.get_by_role("link", name="我要投票").tap()
    frame = phone.web(f"/h5/votes/{meeting['id']}/{WANG_AN}/ballot")
    expect(frame.get_by_text("持股总数：5,000")).to_be_visible()
    expect(frame.get_by_text("5,000*2=10,000")).to_be_visible()
    remaining = frame.locator(".vote-remaining")
    expect(remaining).to_have_text("* 您还有 10,000 表决权未分配")

    item1, item2, china, france = meeting["items"]
    frame.locator(f'input[name="item-{item1}"][value="for"]').check()
    frame.locator(f'input[name="cand-{china}"]').fill("6000")
    expect(remaining).to_have_text("* 您还有 4,000 表决权未分配")
    frame.locator(f'input[name="cand-{france}"]').fill("9000")
    # both numbers: what was given, what the proposal has, and the excess (issue 16)
    expect(remaining).to_have_text("* 已分配 15,000 表决权，超出本议案拥有的表决权数 10,000 共 5,000，请调整")
    expect(frame.locator(".vote-submit")).to_be_disabled()
    phone.screenshot("over")
    frame.locator(f'input[name="cand-{france}"]').fill("3000")
    expect(remaining).to_have_text("* 您还有 1,000 表决权未分配")
    expect(frame.locator(".vote-submit")).to_be_enabled()
    phone.screenshot("ballot")
    frame.locator(".vote-submit").tap()

    frame = phone.web(f"/h5/votes/{meeting['id']}/{WANG_AN}/ballot")
    expect(frame.locator(".vote-confirm__text")).to_contain_text(
        "投票结果正式提交后，不能通过本系统进行更改")
    expect(frame.get_by_text("（未投票，计为弃权）")).to_be_visible()
    phone.screenshot("confirm")
    frame.get_by_role("button", name="确定").tap()

    frame = phone.web(f"/h5/votes/{meeting['id']}/{WANG_AN}/receipt")
    expect(frame.locator(".hall-flash-success")).to_contain_text("投票成功")
    with hall.app_context():
        ballot = db.session.execute(db.select(VoteBallot)).scalar_one()
        assert ballot.channel == "wechat" and ballot.shares == 5000
        votes = {line.item_id: line.votes for line in ballot.lines if line.choice == "votes"}
        assert votes == {china: 6000, france: 3000}
        receipt = ballot.receipt
    expect(frame.locator("#vote-receipt")).to_have_text(receipt)
    phone.screenshot("receipt")


def test_nominee_upload_page_on_the_desktop_web_hall(hall, register, browser, artifact):
    meeting = make_meeting(hall.app)
    context = browser.new_context(base_url=hall.url, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    web = context.new_page()
    web.goto("/h5/account/login")
    web.fill("#phone", "13300880001")
    web.fill("#password", "Vote@2026x")
    web.fill("#captcha", "AAAA")
    web.get_by_role("button", name="登录").click()
    web.goto(f"/h5/votes/{meeting['id']}")
    web.get_by_label("上传投票明细").check()  # 投票前页: the way, then 立即投票
    web.get_by_role("button", name="立即投票").click()
    expect(web.get_by_text("上传投票模板说明", exact=True)).to_be_visible()
    with web.expect_download() as download:
        web.get_by_role("link", name="下载 EXCEL 模板").click()
    assert download.value.suggested_filename == f"vote_600888_{HKSCC}.xlsx"
    web.screenshot(path=f"{artifact}--upload.png", full_page=True)
    web.get_by_role("link", name="录入投票明细").click()
    web.fill("#holder_account", "H000000001")
    web.fill("#holder_name", "HK Holder One")
    web.fill("#holder_shares", "1000")
    china = meeting["items"][2]
    web.locator(f'input[name="cand-{china}"]').fill("1500")
    expect(web.locator(".vote-remaining")).to_have_text("* 您还有 500 表决权未分配")
    web.screenshot(path=f"{artifact}--typed.png", full_page=True)
    context.close()
