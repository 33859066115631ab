"""Meetings as a voter sees them (V-3): which meetings and accounts a hall user may vote
with, through which channel, each one's status, and when the results are shown. A user
votes only with the securities accounts of their own bound 一码通 that held the security
on the record date; a credit or nominee account (``split``) votes per underlying holder,
on the web hall only (V-7)."""
import functools
from dataclasses import dataclass

from sqlalchemy import bindparam

from models import SecuritiesAccount, VoteBallot, VoteHolding, VoteMeeting
from models.voting import WEB
from wechat_hall import clock
from wechat_hall.extensions import db

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
PHASES = {UPCOMING: "未开始", OPEN: "投票中", CLOSED: "已结束"}
NOT_VOTED, VOTED = "not_voted", "voted"
STATUS_LABELS = {UPCOMING: "未开始", NOT_VOTED: "未投票", VOTED: "已投票", CLOSED: "已结束"}


SPLIT_ONLY_WEB = ("该账户为信用或名义持有人账户，须征集明细账户持有人意见后，"
                  "通过网上营业厅录入或上传投票明细；微信营业厅只支持个人投资者投票。")
SPLIT_BY_HOLDERS = "该账户为信用或名义持有人账户，须按明细账户持有人录入或上传投票明细。"


class VoteRefused(Exception):
    """A request the voting rules refuse; the message is shown to the user."""


def phase(meeting, now=None):
    now = now or clock.utcnow()
    if now < meeting.opens_at:
        return UPCOMING
    if now >= meeting.closes_at:
        return CLOSED
    return OPEN


def require_open(meeting, now=None):
    current = phase(meeting, now)
    if current == UPCOMING:
        raise VoteRefused("投票尚未开始，请在投票时间内投票。")
    if current == CLOSED:
        raise VoteRefused("投票已结束，不能再提交投票。")


def channel_refusal(holding, channel):
    """Why ``holding`` may not vote through ``channel`` (WECHAT or WEB), or None."""
    if holding.split and channel != WEB:
        return SPLIT_ONLY_WEB
    return None


def require_channel(holding, channel):
    refusal = channel_refusal(holding, channel)
    if refusal:
        raise VoteRefused(refusal)


def check_voter(meeting, holding, lines, channel):
    """A ballot of ``holding`` (a register row of ``meeting``) through ``channel``: as
    itself, or — a credit or nominee account — through its underlying holders only, and
    then on the web hall only. VoteRefused otherwise."""
    if holding.meeting_id != meeting.id or holding.parent_account:
        raise VoteRefused("该证券账户在权益登记日未持有该证券，不能投票。")
    require_channel(holding, channel)
    own = [spec["holder_account"] == holding.account for spec in lines]
    if holding.split and any(own):
        raise VoteRefused(SPLIT_BY_HOLDERS)
    if not holding.split and not all(own):
        raise VoteRefused("投票意见须为本账户持有人的意见。")


def results_published(meeting, now=None):
    """The meeting's totals (by tier) are shown and exported only once voting has closed
    (V-8): to investors and to staff alike."""
    return phase(meeting, now) == CLOSED


def user_account_numbers(user):
    if user is None or not user.is_activated:
        return []
    return list(db.session.execute(db.select(SecuritiesAccount.number).where(
        SecuritiesAccount.ymt_account_id == user.ymt_account_id)).scalars())


@dataclass
class AccountEntry:
    holding: VoteHolding
    ballot: VoteBallot = None

    @property
    def account(self):
        return self.holding.account


@dataclass
class MeetingEntry:
    meeting: VoteMeeting
    accounts: list

    @property
    def phase(self):
        return phase(self.meeting)

    @property
    def results_published(self):
        return results_published(self.meeting)

    @property
    def status(self):
        current = self.phase
        if current == CLOSED:
            return CLOSED
        if current == UPCOMING:
            return UPCOMING
        return VOTED if all(a.ballot for a in self.accounts) else NOT_VOTED

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def _holdings(numbers, meeting_id=None):
    if not numbers:
        return []
    query = (db.select(VoteHolding)
             .where(VoteHolding.account.in_(numbers), VoteHolding.parent_account == "",
                    VoteHolding.quantity > 0))
    if meeting_id is not None:
        query = query.where(VoteHolding.meeting_id == meeting_id)
    return db.session.execute(query.order_by(VoteHolding.account)).scalars().all()


def _ballots(meeting_ids, numbers):
    if not meeting_ids:
        return {}
    rows = db.session.execute(db.select(VoteBallot).where(
        VoteBallot.meeting_id.in_(meeting_ids), VoteBallot.account.in_(numbers))).scalars()
    return {(b.meeting_id, b.account): b for b in rows}


def meetings_for(user):
    """我的投票: meetings where the user's accounts held the security, newest first."""
    numbers = user_account_numbers(user)
    holdings = _holdings(numbers)
    by_meeting = {}
    for holding in holdings:
        by_meeting.setdefault(holding.meeting_id, []).append(holding)
    ballots = _ballots(list(by_meeting), numbers)
    meetings = db.session.execute(db.select(VoteMeeting).where(
        VoteMeeting.id.in_(list(by_meeting)))).scalars().all() if by_meeting else []
    entries = [MeetingEntry(m, [AccountEntry(h, ballots.get((m.id, h.account)))
                                for h in by_meeting[m.id]]) for m in meetings]
    entries.sort(key=lambda e: (e.phase == CLOSED, -e.meeting.opens_at.timestamp()))
    return entries


def meeting_for(user, meeting_id):
    """The meeting with the user's accounts in it, or VoteRefused (unknown meeting, or
    none of the user's accounts held the security on the record date)."""
    meeting = db.session.get(VoteMeeting, meeting_id) if 0 < meeting_id < 2**31 else None
    numbers = user_account_numbers(user)
    holdings = _holdings(numbers, meeting_id) if meeting is not None else []
    if not holdings:
        raise VoteRefused("未找到您可参与的该次会议：您的证券账户在权益登记日未持有该证券。")
    ballots = _ballots([meeting.id], numbers)
    return MeetingEntry(meeting, [AccountEntry(h, ballots.get((meeting.id, h.account)))
                                  for h in holdings])


@functools.cache
def _account_statement():
    """Built once (building it cost more CPU than the database spends running it)."""
    return (db.select(VoteMeeting, VoteHolding, VoteBallot)
            .join(VoteHolding, VoteHolding.meeting_id == VoteMeeting.id)
            .join(SecuritiesAccount, SecuritiesAccount.number == VoteHolding.account)
            .outerjoin(VoteBallot, (VoteBallot.meeting_id == VoteMeeting.id)
                       & (VoteBallot.account == VoteHolding.account))
            .where(VoteMeeting.id == bindparam("meeting_id"),
                   VoteHolding.account == bindparam("account"),
                   VoteHolding.parent_account == "", VoteHolding.quantity > 0,
                   SecuritiesAccount.ymt_account_id == bindparam("ymt"))
            .limit(1))


def account_for(user, meeting_id, account):
    """(meeting entry, account entry) when ``account`` is the user's own and held the
    security on the record date; VoteRefused otherwise. The entry lists that one account.

    One statement finds the meeting, the account's register row (of the user's own 一码通)
    and its ballot; only when it finds nothing does :func:`meeting_for` tell why."""
    if user is not None and user.is_activated and 0 < meeting_id < 2**31:
        found = db.session.execute(_account_statement(), dict(
            meeting_id=meeting_id, account=account, ymt=user.ymt_account_id)).first()
        if found is not None:
            meeting, holding, ballot = found
            item = AccountEntry(holding, ballot)
            return MeetingEntry(meeting, [item]), item
    entry = meeting_for(user, meeting_id)
    for item in entry.accounts:
        if item.account == account:
            return entry, item
    raise VoteRefused("该证券账户不属于您，或在权益登记日未持有该证券，不能投票。")
