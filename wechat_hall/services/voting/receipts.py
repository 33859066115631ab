"""The receipt chain of a meeting's ballots (V-5, V-9 audit trail).

Every ballot's receipt is SHA-256 over the previous receipt and a canonical text of the
ballot (meeting, account, shares, time cast, channel and every line); the sequence
number is the ballot's place in that chain.
The first ballot of a meeting chains to a genesis value derived from the meeting id.
Editing, deleting or reordering any ballot or line breaks every receipt from there on,
and :func:`verify` (``flask vote verify-chain MEETING``) says where.
"""
import hashlib
import json
from dataclasses import dataclass, field

from models import VoteBallot, VoteBallotLine, VoteChain
from wechat_hall.extensions import db


def genesis(meeting_id):
    return hashlib.sha256(f"wechat-hall vote meeting {meeting_id}".encode()).hexdigest()


LINE_FIELDS = ("holder_account", "holder_name", "holder_shares", "proposal_id", "item_id",
               "choice", "votes", "implicit", "overall")


def _line_tuple(line):
    """A line's values in the canonical order: a VoteBallotLine, or the dict of its
    columns that :func:`~.opinions.resolve` makes."""
    get = line.get if isinstance(line, dict) else lambda name: getattr(line, name)
    (account, name, shares, proposal, item, choice, votes, implicit,
     overall) = (get(f) for f in LINE_FIELDS)
    return [account, name, int(shares), proposal, item, choice, int(votes), bool(implicit),
            bool(overall)]


def canonical(ballot, lines):
    """The text the receipt covers. ``lines`` in insertion order (VoteBallotLine rows or
    their column dicts: the same text)."""
    payload = {
        "meeting": ballot.meeting_id, "account": ballot.account, "shares": int(ballot.shares),
        "split": bool(ballot.split), "channel": ballot.channel,
        "cast_at": ballot.cast_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "lines": [_line_tuple(line) for line in lines],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def receipt_for(prev_hash, ballot, lines):
    text = prev_hash + "\n" + canonical(ballot, lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Verification:
    meeting_id: int
    ballots: int = 0
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def verify(meeting_id, batch=2000):
    """Recompute the chain of a meeting; every mismatch is reported."""
    result = Verification(meeting_id)
    prev = genesis(meeting_id)
    expected_seq = 1
    while True:
        ballots = db.session.execute(
            db.select(VoteBallot).where(VoteBallot.meeting_id == meeting_id,
                                        VoteBallot.seq >= expected_seq)
            .order_by(VoteBallot.seq).limit(batch)).scalars().all()
        if not ballots:
            break
        ids = [b.id for b in ballots]
        lines = {}
        for line in db.session.execute(db.select(VoteBallotLine).where(
                VoteBallotLine.ballot_id.in_(ids)).order_by(VoteBallotLine.id)).scalars():
            lines.setdefault(line.ballot_id, []).append(line)
        for ballot in ballots:
            if ballot.seq != expected_seq:
                result.errors.append(f"第 {expected_seq} 张选票缺失（下一张序号为 {ballot.seq}）")
                expected_seq = ballot.seq
            if ballot.prev_hash != prev:
                result.errors.append(f"第 {ballot.seq} 张选票（账户 {ballot.account}）的前序哈希"
                                     "与上一张选票的回执不符")
            recomputed = receipt_for(ballot.prev_hash, ballot, lines.get(ballot.id, []))
            if recomputed != ballot.receipt:
                result.errors.append(f"第 {ballot.seq} 张选票（账户 {ballot.account}）的内容与回执"
                                     "不符：选票或其明细被改动过")
            prev = ballot.receipt
            expected_seq += 1
            result.ballots += 1
    head = db.session.get(VoteChain, meeting_id)
    if head is not None and (head.seq != expected_seq - 1 or head.head != prev):
        result.errors.append(f"链头记录（序号 {head.seq}）与选票链末端（序号 {expected_seq - 1}）"
                             "不一致：有选票被删除或追加")
    return result
