"""The hall's one clock (wechat_hall/clock.py). CLOCK_NOW is frozen at 00:30 in Shanghai on
Tuesday 2026-11-24 — 16:30 on Monday the 23rd in UTC, a week before this was written —
and every rule reads that Shanghai day and time, as a user meets it: the query window,
the certificates' daily quota, the voting window and its results, the login lockout and
the booking cutoff. Moving the clock moves them all."""
import re
from datetime import time, timedelta
from decimal import Decimal

import pytest

from models import (
    Broker,
    BrokerBranch,
    BusinessType,
    CertificateQuota,
    HallUser,
    Investor,
    Office,
    SecuritiesAccount,
    SlotTemplate,
    VoteHolding,
    VoteItem,
    VoteMeeting,
    VoteProposal,
    YmtAccount,
)
from models.voting import ORDINARY
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import check_characters, id_numbers

NOW = clock.shanghai(2026, 11, 24, 0, 30)
PHONE, PASSWORD, ACCOUNT = "13900000777", "Hall@2026x", "A777000001"
ID_NUMBER = "11010119900307123" + check_characters.gb11643_check_char("11010119900307123")


@pytest.fixture
def hall(make_app):
    """An activated investor with one account, a meeting open 00:00-01:00 Shanghai time on
    the 24th in which that account holds shares, and a hall with one slot a day."""
    app = make_app(CLOCK_NOW=NOW)
    with app.app_context():
        branch = BrokerBranch(broker=Broker(code="CLK", name="时钟证券"), code="0001",
                              name="时钟证券营业部")
        investor = Investor(name="钟表", id_type=id_numbers.RESIDENT_ID, id_number=ID_NUMBER)
        ymt = YmtAccount(number="180777000001", investor=investor, branch=branch)
        db.session.add(SecuritiesAccount(number=ACCOUNT, market="SH", ymt_account=ymt,
                                         branch=branch))
        user = HallUser(phone=PHONE, ymt_account=ymt, activated_at=clock.utcnow())
        user.set_password(PASSWORD)
        meeting = VoteMeeting(security_code="600777", security_name="时钟科技", title="时钟会议",
                              record_date=NOW.date() - timedelta(days=7),
                              opens_at=clock.shanghai(2026, 11, 24, 0, 0),
                              closes_at=clock.shanghai(2026, 11, 24, 1, 0),
                              total_shares=1_000_000, close_price=Decimal("10.00"))
        proposal = VoteProposal(meeting=meeting, number=1, title="议案", kind=ORDINARY)
        office = Office(code="CK", region="时钟", name="时钟大厅", address="某路1号", phone="1")
        db.session.add_all([
            user, meeting, proposal, VoteItem(proposal=proposal, number=1, title="议案1"),
            office, BusinessType(office=office, code="QUERY", name="证券查询", ticket_prefix="E"),
            SlotTemplate(office=office, start_time=time(9, 0), end_time=time(9, 59, 59))])
        db.session.flush()
        db.session.add(VoteHolding(meeting_id=meeting.id, account=ACCOUNT, name="钟表",
                                   quantity=1_000))
        db.session.commit()
        app.extensions["test_ids"] = {"user": user.id, "meeting": meeting.id}
    return app


def _signed_in(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["hall_user_id"], sess["hall_user_epoch"] = app.extensions["test_ids"]["user"], 0
    return client


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_every_rule_follows_the_frozen_clock_in_shanghai_time(hall):
    client = _signed_in(hall)

    # Query window: today is the 24th (in UTC it is still the 23rd), the year back starts
    # on 2025-11-24, and the 25th is "after today".
    page = client.get("/h5/query/holdings?date=2026-11-24").get_data(as_text=True)
    assert 'min="2025-11-24" max="2026-11-24"' in page and 'id="query-error"' not in page

    def refusal(path):
        return re.search(r'id="query-error">([^<]+)<', client.get(path).get_data(as_text=True))[1]

    assert refusal("/h5/query/holdings?date=2026-11-25") == "查询日期不能晚于今天"
    assert refusal("/h5/query/holdings?date=2025-11-23") == "仅提供近一年内（2025-11-24 起）的查询"

    # Certificates: today's own date may be asked for, and the request counts on the
    # Shanghai day until Shanghai midnight.
    resp = client.post("/h5/certificates/new", data={
        "csrf_token": _csrf(client, "/h5/certificates/new"), "kind": "holdings",
        "date": "2026-11-24", "start": "", "end": "", "account": "", "market": "",
        "email": "clock@example.com", "id_number": ID_NUMBER})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with hall.app_context():
        quota = db.session.execute(db.select(CertificateQuota)).scalar_one()
        assert (quota.day.isoformat(), quota.used) == ("2026-11-24", 1)
    hall.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 23, 59)  # 15:59 UTC, same UTC day
    assert "今日已申请 1 / 5 次" in client.get("/h5/certificates/").get_data(as_text=True)
    hall.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 25, 0, 1)  # 16:01 UTC, same UTC day
    assert "今日已申请 0 / 5 次" in client.get("/h5/certificates/").get_data(as_text=True)

    # Voting: open at 00:30 (by the real clock it closed a week ago), results hidden,
    # export refused; at 01:00 closed, results shown and exported.
    hall.config["CLOCK_NOW"] = NOW
    meeting = hall.extensions["test_ids"]["meeting"]
    assert client.get(f"/h5/votes/{meeting}/{ACCOUNT}/ballot").status_code == 200
    assert client.get(f"/h5/votes/{meeting}/results").status_code == 403
    runner = hall.test_cli_runner()
    result = runner.invoke(args=["vote", "export", str(meeting), "/dev/null"])
    assert result.exit_code != 0 and "投票结束后方可导出结果" in result.output
    hall.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 1, 0)
    resp = client.get(f"/h5/votes/{meeting}/{ACCOUNT}/ballot")
    assert resp.status_code == 403 and "投票已结束" in resp.get_data(as_text=True)
    assert client.get(f"/h5/votes/{meeting}/results").status_code == 200
    assert runner.invoke(args=["vote", "export", str(meeting), "/dev/null"]).exit_code == 0

    # Login lockout (inside WeChat: no captcha): locked for 15 minutes from the frozen
    # time, 9 minutes left six and a half minutes later, open again at the quarter.
    hall.config["CLOCK_NOW"] = NOW
    phone = hall.test_client()
    with phone.session_transaction() as sess:
        sess["wechat_openid"] = "o_clock_login"

    def login(password):
        return phone.post("/h5/account/login", data={
            "csrf_token": _csrf(phone, "/h5/account/login"), "phone": PHONE,
            "password": password})

    for _ in range(hall.config["HALL_MAX_FAILED_LOGINS"]):
        last = login("Wrong@2026x")
    assert "账户已锁定，请15分钟后再试" in last.get_data(as_text=True)
    with hall.app_context():
        user = db.session.get(HallUser, hall.extensions["test_ids"]["user"])
        assert user.locked_until == NOW + timedelta(minutes=15)
    hall.config["CLOCK_NOW"] = NOW + timedelta(minutes=6, seconds=30)
    # The login throttle (5 a minute per openid) counts real seconds, not the frozen
    # clock: minutes passed here, so its window has passed too.
    hall.extensions["hall_limiter"].reset()
    assert "请9分钟后再试" in login(PASSWORD).get_data(as_text=True)
    hall.config["CLOCK_NOW"] = NOW + timedelta(minutes=15)
    assert login(PASSWORD).status_code == 302

    # Booking: at 00:30 on the 24th tomorrow (the 25th) is the first bookable day; from
    # 15:00 Shanghai time (07:00 UTC, before the cutoff in UTC) it is the 26th.
    def first_bookable_day():
        html = phone.get("/h5/appointments/apply?office=CK").get_data(as_text=True)
        return re.findall(r'<option value="(\d{4}-\d\d-\d\d)"(?! disabled)', html)[0]

    hall.config["CLOCK_NOW"] = NOW
    assert first_bookable_day() == "2026-11-25"
    hall.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 14, 59, 59)
    assert first_bookable_day() == "2026-11-25"
    hall.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 15, 0)
    assert first_bookable_day() == "2026-11-26"
