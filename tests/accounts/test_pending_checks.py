"""ACC-8 (c) trade-order and (d) counter checks: pending until the trade feed or a
counter decides; the user is told in WeChat."""
import re
from datetime import timedelta

import pytest

from models import IdentityVerification, OutboxJob, TradeFeedOrder
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.accounts import pending_checks, trade_feed

from tests.accounts.account_helpers import Staff, csrf, form_post, signed_up_wechat, user

PHONE = "13800000020"
ZHANG = {"holder_type": "individual", "id_type": "resident_id", "id_number": "310115197809072717"}
CHEN = {"holder_type": "individual", "id_type": "resident_id", "id_number": "440304196511080825"}
HEADER = "trade_date,account,security_code,side,price,quantity,broker_code,order_no\n"


@pytest.fixture
def wx(app, client, registry):
    signed_up_wechat(app, client, PHONE, "o_pending")
    return client


def start_trade(client, account="A278900271"):
    assert form_post(client, "/h5/ymt/activate", ZHANG).status_code == 302
    resp = form_post(client, "/h5/verify/trade", {"account": account})
    return resp


def the_check(app):
    with app.app_context():
        row = db.session.execute(db.select(IdentityVerification).order_by(
            IdentityVerification.id.desc())).scalars().first()
        db.session.expunge(row)
        return row


def feed(tmp_path, *lines, name="feed.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def today():
    return clock.today()


def wechat_texts(app, openid="o_pending"):
    with app.app_context():
        rows = db.session.execute(db.select(OutboxJob).filter_by(func="wechat.send_text")).scalars()
        return [r.payload["text"] for r in rows if r.payload["openid"] == openid]


def test_the_trade_page_gives_the_instruction(app, wx):
    resp = start_trade(wx)
    assert resp.status_code == 302 and "/h5/verify/pending/" in resp.headers["Location"]
    page = wx.get(resp.headers["Location"]).get_data(as_text=True)
    check = the_check(app)
    assert check.status == "pending" and 1 <= check.trade_quantity <= 99
    assert "799991" in page and "6.00 元" in page and "A278900271" in page
    assert f'id="trade-quantity">{check.trade_quantity}<' in page
    assert "15个自然日" in page and "不会产生任何费用" in page
    with app.app_context():
        first, last, _expires = pending_checks.trade_window(check.created_at)
    assert first == today() and last == today() + timedelta(days=14)
    assert not user(app, PHONE).is_activated


@pytest.mark.parametrize("account, message", [
    ("A123", "证券账户格式不正确"),
    ("A312600024", "不属于您的一码通账户"),   # 王安's account
    ("", "请输入证券账户"),
])
def test_trade_refuses_accounts_that_are_not_linked(app, wx, account, message):
    resp = start_trade(wx, account)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(IdentityVerification)).first() is None


def test_a_matching_order_activates_and_tells_the_user(app, runner, wx, tmp_path):
    start_trade(wx)
    check = the_check(app)
    day = today().isoformat()
    path = feed(tmp_path,
                f"{day},A278900271,799991,B,6.10,{check.trade_quantity},GTJA,1",   # wrong price
                f"{day},A278900271,799991,B,6.00,{check.trade_quantity + 1},GTJA,2",  # quantity
                f"{day},0278900271,799991,B,6.00,{check.trade_quantity},GTJA,3",   # other account
                f"{day},A278900271,799991,S,6.00,{check.trade_quantity},GTJA,4",   # a sell
                f"{day},A278900271,600000,B,6.00,{check.trade_quantity},GTJA,5")   # other code
    result = runner.invoke(args=["tradefeed", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "匹配成功 0 笔" in result.output
    assert the_check(app).status == "pending" and not user(app, PHONE).is_activated
    path = feed(tmp_path, f"{day},A278900271,799991,P,6.000,{check.trade_quantity},GTJA,9",
                name="feed2.csv")
    result = runner.invoke(args=["tradefeed", "import", str(path)])
    assert "匹配成功 1 笔" in result.output
    assert the_check(app).status == "verified" and user(app, PHONE).is_activated
    assert any("一码通账户已通过交易报盘身份认证激活" in t for t in wechat_texts(app))
    # Re-importing the same file changes nothing.
    result = runner.invoke(args=["tradefeed", "import", str(path)])
    assert "新增认证委托 0 条，重复 1 条" in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(TradeFeedOrder.id))).scalar_one() == 5


def test_orders_outside_the_15_days_do_not_count_and_the_check_expires(app, runner, wx, tmp_path):
    start_trade(wx)
    check = the_check(app)
    late = (today() + timedelta(days=15)).isoformat()
    early = (today() - timedelta(days=1)).isoformat()
    path = feed(tmp_path, f"{late},A278900271,799991,B,6.00,{check.trade_quantity},GTJA,1",
                f"{early},A278900271,799991,B,6.00,{check.trade_quantity},GTJA,2")
    runner.invoke(args=["tradefeed", "import", str(path)])
    assert the_check(app).status == "pending"
    with app.app_context():
        assert pending_checks.expire_overdue(now=check.expires_at) == 1
    assert the_check(app).status == "expired"
    assert any("已过期" in t for t in wechat_texts(app))
    page = wx.get("/h5/profile").get_data(as_text=True)
    assert "完善客户资料" in page and "待完成" not in page


def test_an_order_in_time_still_counts_when_the_feed_comes_after_expiry(app, runner, wx, tmp_path):
    start_trade(wx)
    check = the_check(app)
    with app.app_context():
        pending_checks.expire_overdue(now=check.expires_at)
    last_day = (today() + timedelta(days=14)).isoformat()
    path = feed(tmp_path, f"{last_day},A278900271,799991,B,6.00,{check.trade_quantity},GTJA,7")
    runner.invoke(args=["tradefeed", "import", str(path)])
    assert the_check(app).status == "verified" and user(app, PHONE).is_activated


def test_a_bad_feed_file_is_refused_whole(app, runner, wx, tmp_path):
    start_trade(wx)
    check = the_check(app)
    day = today().isoformat()
    path = feed(tmp_path, f"{day},A278900271,799991,B,6.00,{check.trade_quantity},GTJA,1",
                f"{day},A278900271,799991,B,abc,1,GTJA,2")
    result = runner.invoke(args=["tradefeed", "import", str(path)])
    assert result.exit_code != 0 and "第 3 行" in result.output and "未写入任何数据" in result.output
    with app.app_context():
        assert db.session.execute(db.select(TradeFeedOrder)).first() is None
    assert the_check(app).status == "pending"


def test_the_match_job_runs_from_the_outbox(app, wx, tmp_path):
    start_trade(wx)
    check = the_check(app)
    path = feed(tmp_path, f"{today()},A278900271,799991,B,6.00,{check.trade_quantity},GTJA,1")
    with app.app_context():
        trade_feed.import_file(path)
    run_pending(app)
    assert user(app, PHONE).is_activated


def test_choosing_another_method_cancels_the_pending_check(app, wx):
    resp = start_trade(wx)
    ref = resp.headers["Location"].rsplit("/", 1)[1]
    token = csrf(wx, resp.headers["Location"])
    resp = wx.post(f"/h5/verify/pending/{ref}/cancel", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/verify/methods")
    assert the_check(app).status == "cancelled"


def test_someone_elses_pending_check_is_not_found(app, wx):
    resp = start_trade(wx)
    other = app.test_client()
    signed_up_wechat(app, other, "13800000021", "o_other")
    assert other.get(resp.headers["Location"]).status_code == 404


# -- (d) counter --------------------------------------------------------------------------

def start_counter(app, client):
    assert form_post(client, "/h5/ymt/activate", CHEN).status_code == 302
    page = client.get("/h5/verify/counter").get_data(as_text=True)
    assert "招商证券深圳福田中心区证券营业部" in page
    assert "华泰证券南京中山路证券营业部" not in page  # does not take counter checks
    branch = re.search(r'<option value="(\d+)" data-broker="\d+">招商证券深圳福田', page).group(1)
    return form_post(client, "/h5/verify/counter", {"account": "0044030082", "branch": branch})


def test_counter_check_confirmed_by_counter_staff(app, wx):
    resp = start_counter(app, wx)
    assert resp.status_code == 302
    page = wx.get(resp.headers["Location"]).get_data(as_text=True)
    assert "临柜身份认证" in page and "待认证" in page
    check = the_check(app)
    staff = Staff(app, "desk", "counter")
    page = staff.get("/staff/counter-checks/").get_data(as_text=True)
    assert check.public_id in page and "*静" in page and "440****0825" in page
    assert "440304196511080825" not in page
    staff.post(f"/staff/counter-checks/{check.public_id}/confirm",
               {"id_number": "440304196511080826"})
    assert "证件号码与申请人登记的证件不一致" in staff.get("/staff/counter-checks/").get_data(as_text=True)
    assert the_check(app).status == "pending"
    staff.post(f"/staff/counter-checks/{check.public_id}/confirm",
               {"id_number": "440304196511080825"})
    assert the_check(app).status == "verified" and user(app, PHONE).is_activated
    assert any("临柜身份认证激活" in t for t in wechat_texts(app))
    # Deciding twice is refused.
    staff.post(f"/staff/counter-checks/{check.public_id}/reject", {"reason": "late"})
    assert "无需再次处理" in staff.get("/staff/counter-checks/").get_data(as_text=True)


def test_counter_rejection_needs_a_reason_and_tells_the_user(app, wx):
    start_counter(app, wx)
    check = the_check(app)
    staff = Staff(app, "desk", "counter")
    staff.post(f"/staff/counter-checks/{check.public_id}/reject", {"reason": "  "})
    assert "请填写不通过的原因" in staff.get("/staff/counter-checks/").get_data(as_text=True)
    staff.post(f"/staff/counter-checks/{check.public_id}/reject", {"reason": "证件已过期"})
    row = the_check(app)
    assert row.status == "rejected" and row.reason == "证件已过期"
    assert any("未通过：证件已过期" in t for t in wechat_texts(app))
    assert not user(app, PHONE).is_activated


def test_only_counter_staff_decide_and_only_for_their_branch(app, wx):
    start_counter(app, wx)
    check = the_check(app)
    kiosk = Staff(app, "kiosk1", "kiosk")
    assert kiosk.get("/staff/counter-checks/").status_code == 403
    assert kiosk.post(f"/staff/counter-checks/{check.public_id}/confirm",
                      {"id_number": "440304196511080825"}).status_code == 403
    with app.app_context():
        from models import BrokerBranch
        other_branch = db.session.execute(db.select(BrokerBranch).filter(
            BrokerBranch.id != check.broker_branch_id)).scalars().first().id
    elsewhere = Staff(app, "elsewhere", "counter", broker_branch_id=other_branch)
    assert check.public_id not in elsewhere.get("/staff/counter-checks/").get_data(as_text=True)
    elsewhere.post(f"/staff/counter-checks/{check.public_id}/confirm",
                   {"id_number": "440304196511080825"})
    assert the_check(app).status == "pending"
