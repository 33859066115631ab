"""Back-office rules for meetings, proposals and candidates (V-1).

Once a meeting has a ballot its proposals, candidates, register-related figures and
window start are fixed: a ballot was cast against exactly what it shows.
"""
import re

from models import VoteBallot
from models.voting import ELECTION
from wechat_hall.extensions import db
from wechat_hall.services.errors import Rejected

SECURITY_CODE_RE = re.compile(r"^\d{6}$")
# Fixed once the meeting has a ballot: a ballot was cast against exactly these.
FIXED_AFTER_BALLOT = ("security_code", "record_date", "total_shares", "close_price",
                      "has_overall", "opens_at")


def has_ballots(meeting_id):
    if meeting_id is None:
        return False
    with db.session.no_autoflush:
        return db.session.execute(db.select(VoteBallot.id).filter_by(meeting_id=meeting_id)
                                  .limit(1)).first() is not None


def check_meeting(meeting, changed_fields=()):
    if not SECURITY_CODE_RE.match(meeting.security_code or ""):
        raise Rejected("证券代码须为6位数字。")
    if meeting.opens_at is None or meeting.closes_at is None or meeting.closes_at <= meeting.opens_at:
        raise Rejected("投票结束时间须晚于开始时间。")
    if not meeting.total_shares or meeting.total_shares <= 0:
        raise Rejected("总股本须为正整数。")
    if meeting.close_price is None or meeting.close_price < 0:
        raise Rejected("权益登记日收盘价不能为负数。")
    if has_ballots(meeting.id) and set(FIXED_AFTER_BALLOT) & set(changed_fields):
        raise Rejected("本次会议已有投票，证券、权益登记日、总股本、收盘价、总议案和开始时间不能再修改。")


def check_proposal(proposal):
    if proposal.meeting is None:
        raise Rejected("请选择所属会议。")
    if has_ballots(proposal.meeting.id):
        raise Rejected("本次会议已有投票，议案不能再修改。")
    if proposal.kind == ELECTION:
        if not proposal.seats or proposal.seats < 1:
            raise Rejected("选举型议案须填写当选数（至少为1）。")
    else:
        proposal.seats = None


def check_item(item):
    if item.proposal is None:
        raise Rejected("请选择所属议案。")
    if has_ballots(item.proposal.meeting_id):
        raise Rejected("本次会议已有投票，议案和候选人不能再修改。")
