"""Building meetings and signed-in voters for the voting tests."""
import re
from datetime import date, timedelta
from decimal import Decimal

from models import (
    HallUser,
    VoteBallot,
    VoteBallotLine,
    VoteHolding,
    VoteItem,
    VoteMeeting,
    VoteProposal,
    YmtAccount,
)
from models.voting import ELECTION, ORDINARY
from tests.accounts.account_helpers import QUICK_HASH
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.voting import ballots as ballot_service
from wechat_hall.services.voting import opinions
from wechat_hall.services.voting.opinions import Opinion

WANG_AN_YMT, WANG_AN = "180312600024", "A312600024"
ZHANG_WEI_YMT, ZHANG_WEI = "180278900271", "A278900271"
HKSCC_YMT, HKSCC = "180880000001", "B880000001"
CREDIT_YMT, CREDIT = "180880000002", "B880000002"


def make_meeting(app, *, opens=-1, closes=24, overall=True, register=None, underlying=None,
                 total_shares=200_000_000, price="25.00", seats=2):
    """A meeting open from ``opens`` to ``closes`` hours from now: 1.00 with 1.01 and 1.02
    (表决型), 2.00 (选举型, ``seats`` seats, candidates 2.01 中国 and 2.02 法国)."""
    register = register if register is not None else [
        (WANG_AN, "王安", 5_000), (ZHANG_WEI, "张伟", 12_000),
        (HKSCC, "香港中央结算有限公司", 1_000_000, True), (CREDIT, "信用担保账户", 60_000, True)]
    with app.app_context():
        now = utcnow()
        meeting = VoteMeeting(security_code="600888", security_name="浦江科技", title="测试持有人会议",
                              record_date=date(2017, 1, 4), opens_at=now + timedelta(hours=opens),
                              closes_at=now + timedelta(hours=closes), total_shares=total_shares,
                              close_price=Decimal(price), has_overall=overall)
        db.session.add(meeting)
        p1 = VoteProposal(meeting=meeting, number=1, title="议案", kind=ORDINARY)
        p2 = VoteProposal(meeting=meeting, number=2, title="你喜欢哪个国家", kind=ELECTION,
                          seats=seats)
        items = [VoteItem(proposal=p1, number=1, title="议案1"),
                 VoteItem(proposal=p1, number=2, title="议案2"),
                 VoteItem(proposal=p2, number=1, title="中国"),
                 VoteItem(proposal=p2, number=2, title="法国")]
        db.session.add_all([p1, p2] + items)
        db.session.flush()
        for row in register:
            account, name, qty = row[:3]
            db.session.add(VoteHolding(meeting_id=meeting.id, account=account, name=name,
                                       quantity=qty, split=len(row) > 3 and row[3]))
        for parent, account, name, qty in underlying or []:
            db.session.add(VoteHolding(meeting_id=meeting.id, parent_account=parent,
                                       account=account, name=name, quantity=qty))
        db.session.commit()
        return {"id": meeting.id, "items": [i.id for i in items]}


def sign_in(app, client, ymt_number, phone, openid=None):
    """An activated hall user bound to the 一码通, signed in on ``client``."""
    with app.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number=ymt_number)).scalar_one()
        user = db.session.execute(db.select(HallUser).filter_by(phone=phone)).scalar_one_or_none()
        if user is None:
            user = HallUser(phone=phone, ymt_account_id=ymt.id, activated_at=utcnow(),
                            openid=openid)
            user.password_hash = QUICK_HASH  # the password Hall@2026x, hashed cheaply
            db.session.add(user)
            db.session.commit()
        user_id = user.id
    with client.session_transaction() as sess:
        sess["hall_user_id"] = user_id
        sess["hall_user_epoch"] = 0
        if openid:
            sess["wechat_openid"] = openid
    return user_id


def token(client, path):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page.get_data(as_text=True)).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def ballot_url(meeting, account=WANG_AN):
    return f"/h5/votes/{meeting['id']}/{account}/ballot"


def post_ballot(client, meeting, data, account=WANG_AN, step="confirm", csrf=None):
    url = ballot_url(meeting, account)
    csrf = csrf or token(client, "/h5/profile")
    return client.post(url, data={"csrf_token": csrf, "step": step, **data})


def ballots(app, meeting_id=None):
    with app.app_context():
        query = db.select(VoteBallot)
        if meeting_id is not None:
            query = query.filter_by(meeting_id=meeting_id)
        rows = db.session.execute(query).scalars().all()
        for row in rows:
            row.line_rows = [(l.holder_account, l.item_id, l.choice, l.votes, l.implicit, l.overall)
                             for l in row.lines]
        db.session.expunge_all()
        return rows


def line_count(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(VoteBallotLine.id))).scalar_one()


def text(resp):
    return resp.get_data(as_text=True)


def cast_vote(app, meeting_id, account, shares, choice, election=None):
    """A ballot cast straight through the service: ``choice`` on every 表决型 item,
    ``election`` (item id → votes) for the 选举型 ones."""
    with app.app_context():
        meeting = db.session.get(VoteMeeting, meeting_id)
        struct = opinions.structure(meeting)
        items = [i for _, group in struct.ordinary for i in group]
        opinion = Opinion(ordinary={i.id: choice for i in items}, election=election or {})
        lines = opinions.resolve(struct, shares, opinion, account).lines
        holding = db.session.execute(db.select(VoteHolding).filter_by(
            meeting_id=meeting_id, parent_account="", account=account)).scalar_one()
        assert holding.quantity == shares
        ballot_service.cast(meeting, holding, lines, channel="web")
