"""Demo holder meetings (V-1..V-9): one open meeting with both proposal types and a
总议案, one closed meeting with ballots (for the result pages, tiers and export), the
register of both, and two institutions that vote per underlying holder on the web hall:
香港中央结算有限公司 (nominee) and a broker's credit collateral account, each with an
activated web-hall login.

Runs after ``registry`` (it uses the demo investors' accounts).
"""
from datetime import date, datetime, timedelta
from decimal import Decimal

from models import (
    HallUser,
    Investor,
    SecuritiesAccount,
    VoteHolding,
    VoteItem,
    VoteMeeting,
    VoteProposal,
    YmtAccount,
)
from models.registry import A_SHARE, CREDIT, INSTITUTION, SH
from models.voting import ELECTION, FOR, ORDINARY, WEB
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import check_characters, id_numbers
from wechat_hall.services.accounts.id_numbers import USCC
from wechat_hall.services.voting import ballots, opinions

from .registry import _branch, _one

INSTITUTION_PASSWORD = "Vote@2026x"


def _uscc(first17):
    return first17 + check_characters.gb32100_check_char(first17)


# (name, USCC first 17, 一码通, reserved phone, account, kind, login phone)
NOMINEES = [
    ("香港中央结算有限公司", "91440300MA5HK0001", "180880000001", "13300880001", "B880000001",
     A_SHARE, "13300880001"),
    ("中信证券股份有限公司客户信用交易担保证券账户", "91440300MA5CX0002", "180880000002",
     "13300880002", "B880000002", CREDIT, "13300880002"),
]
HKSCC_ACCOUNT, CREDIT_ACCOUNT = NOMINEES[0][4], NOMINEES[1][4]

SECURITY = ("600888", "浦江科技")
OPEN_TITLE = "浦江科技2026年第一次持有人会议"
CLOSED_TITLE = "浦江科技2025年度持有人会议"
TOTAL_SHARES = 200_000_000
CLOSE_PRICE = Decimal("25.00")  # 500,000 yuan = 20,000 shares

# (account, name, category, quantity) on the record date
REGISTER = [
    ("A312600024", "王安", "1000", 5_000),
    ("A278900271", "张伟", "1000", 12_000),
    ("A108300319", "刘洋", "1000", 800),
    ("A330100204", "赵敏", "1000", 60_000),
    ("B882000001", "上海浦江资产管理有限公司", "2000", 3_000_000),
    (HKSCC_ACCOUNT, "香港中央结算有限公司", "2200", 15_000_000),
    (CREDIT_ACCOUNT, NOMINEES[1][0], "2000", 600_000),
    ("B881000003", "浦江集团有限公司", "2100", 60_000_000),
] + [(f"A9{n:08d}", f"演示持有人{n}", "1000", 1_000 * n) for n in range(1, 21)]
# Underlying holders of the credit collateral account (明细账户, 信用账户)
UNDERLYING = [
    ("E078900271", "张伟", "1000", 3_000),
    ("E100000001", "孙丽", "1000", 2_000),
    ("E100000002", "周强", "1000", 45_000),
]

PROPOSALS = [
    (1, "议案", ORDINARY, None, ["关于修订《公司章程》的议案", "关于续聘会计师事务所的议案"]),
    (2, "关于选举董事的议案", ELECTION, 2, ["李华", "周敏", "吴强"]),
]


def _seed_nominees():
    for name, first17, ymt_no, phone, account, kind, login in NOMINEES:
        number = _uscc(first17)
        investor = _one(Investor, id_type=USCC, id_number=number)
        if investor is None:
            investor = Investor(holder_type=INSTITUTION, name=name, id_type=USCC,
                                id_number=id_numbers.validate_id_number(USCC, number, INSTITUTION))
            db.session.add(investor)
        ymt = _one(YmtAccount, number=ymt_no)
        if ymt is None:
            ymt = YmtAccount(number=ymt_no, investor=investor, reserved_phone=phone,
                             branch=_branch(("ZXZQ", "3101")), opened_at=datetime(2014, 11, 17))
            db.session.add(ymt)
        if _one(SecuritiesAccount, number=account) is None:
            db.session.add(SecuritiesAccount(number=account, market=SH, kind=kind,
                                             ymt_account=ymt, branch=_branch(("ZXZQ", "3101")),
                                             opened_at=datetime(2014, 11, 17)))
        db.session.flush()
        if _one(HallUser, phone=login) is None:
            user = HallUser(phone=login, nickname=name[:16], ymt_account_id=ymt.id,
                            activated_at=clock.utcnow())
            user.set_password(INSTITUTION_PASSWORD)
            db.session.add(user)
    db.session.flush()


def _meeting(title, record_date, opens_at, closes_at):
    meeting = _one(VoteMeeting, security_code=SECURITY[0], title=title)
    if meeting is not None:
        return meeting, False
    meeting = VoteMeeting(security_code=SECURITY[0], security_name=SECURITY[1], title=title,
                          record_date=record_date, opens_at=opens_at, closes_at=closes_at,
                          total_shares=TOTAL_SHARES, close_price=CLOSE_PRICE, has_overall=True,
                          notice="本次会议采用现场投票与网络投票相结合的方式。")
    db.session.add(meeting)
    db.session.flush()
    for number, ptitle, kind, seats, items in PROPOSALS:
        proposal = VoteProposal(meeting=meeting, number=number, title=ptitle, kind=kind,
                                seats=seats)
        db.session.add(proposal)
        for index, item in enumerate(items, start=1):
            db.session.add(VoteItem(proposal=proposal, number=index, title=item))
    nominees = {HKSCC_ACCOUNT, CREDIT_ACCOUNT}
    for account, name, category, quantity in REGISTER:
        db.session.add(VoteHolding(meeting_id=meeting.id, account=account, name=name,
                                   holder_category=category, quantity=quantity,
                                   split=account in nominees))
    for account, name, category, quantity in UNDERLYING:
        db.session.add(VoteHolding(meeting_id=meeting.id, parent_account=CREDIT_ACCOUNT,
                                   account=account, name=name, holder_category=category,
                                   quantity=quantity))
    meeting.register_rows = len(REGISTER)
    meeting.register_imported_at = clock.utcnow()
    db.session.flush()
    return meeting, True


def _cast_demo_ballots(meeting):
    """Ballots of the closed meeting, cast through the same rules as the pages."""
    struct = opinions.structure(meeting)
    ordinary = [i for _, items in struct.ordinary for i in items]
    candidates = [c for _, items in struct.election for c in items]
    plans = [("A330100204", 60_000, "for", None), ("B881000003", 60_000_000, "for", None),
             ("B882000001", 3_000_000, "against", None)]
    plans += [(f"A9{n:08d}", 1_000 * n, ("for", "against", "abstain")[n % 3], n % 2)
              for n in range(1, 16)]
    for account, shares, overall, split_mode in plans:
        opinion = opinions.Opinion(overall=overall)
        rights = shares * 2
        if split_mode:
            opinion.election = {candidates[0].id: rights // 2, candidates[1].id: rights // 2}
        else:
            opinion.election = {candidates[0].id: rights}
        if account == "B882000001":
            opinion.ordinary = {ordinary[1].id: FOR}
            opinion.order = [f"item-{ordinary[1].id}", "overall"]
        lines = opinions.resolve(struct, shares, opinion, account).lines
        holding = _one(VoteHolding, meeting_id=meeting.id, parent_account="", account=account)
        ballots.cast(meeting, holding, lines, channel=WEB)


def seed():
    _seed_nominees()
    today = clock.today()
    start = clock.day_start(today)  # 00:00 Shanghai
    _meeting(OPEN_TITLE, today - timedelta(days=5), start - timedelta(days=1),
             start + timedelta(days=15))
    closed, created = _meeting(CLOSED_TITLE, date(today.year - 1, 4, 18),
                               start - timedelta(days=3), start + timedelta(days=30))
    if created:
        db.session.commit()
        _cast_demo_ballots(closed)
        closed.opens_at = start - timedelta(days=40)
        closed.closes_at = start - timedelta(days=30)
        db.session.commit()


def logins():
    return [
        f"网络投票：{SECURITY[0]} {SECURITY[1]}「{OPEN_TITLE}」投票中；王安 A312600024（5,000 股）、"
        "张伟 A278900271 等绑定并激活一码通后在“网络投票”中投票；"
        f"「{CLOSED_TITLE}」已结束，可查看结果（后台 /admin/vote-results/ 导出）",
        f"网络投票（名义持有人，网上营业厅登录）：香港中央结算有限公司 手机 {NOMINEES[0][6]} / "
        f"{INSTITUTION_PASSWORD}；信用担保账户 手机 {NOMINEES[1][6]} / {INSTITUTION_PASSWORD}"
        f"（明细账户 E078900271、E100000001、E100000002）",
    ]
