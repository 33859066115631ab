"""Ballots (V-4, V-5): read what a holder chose, check it against the exchanges' rules on
the server, and cast it once.

Rules (docs/VOTING.md):
- weight = shares held on the record date; 表决型 items: one of 赞成/反对/弃权;
- 选举型 groups: rights = shares × 当选数, given to one candidate or spread; more than
  the rights is refused (the whole ballot, before anything is recorded);
- 总议案: the same opinion on every 表决型 item; between it and a specific opinion on the
  same item, the earlier one given wins (the page sends the order the holder chose in;
  without it the page order, where 总议案 comes first, decides);
- items left unvoted count as 弃权 (the preview says so);
- the first ballot of an account counts: a unique (meeting, account) constraint, insert
  only, and a second submission is refused with the first ballot's receipt.
"""
import random
import re
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError, OperationalError

from models import VoteBallot, VoteBallotLine, VoteChain
from models.voting import ABSTAIN, CHOICES, VOTES
from wechat_hall import clock
from wechat_hall.extensions import db

from . import receipts
from .meetings import VoteRefused, check_voter, require_open

INTEGER_RE = re.compile(r"^\d{1,15}$")
OVERALL = "overall"
NOTHING_CHOSEN = "您尚未填写任何投票意见。"


class BallotInvalid(VoteRefused):
    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


class AlreadyVoted(VoteRefused):
    def __init__(self, ballot):
        super().__init__(f"该证券账户已于本次会议投票，投票结果不能更改。回执：{ballot.receipt}")
        self.ballot = ballot


@dataclass
class Opinion:
    """What one holder chose: 总议案, 表决型 items (item id → choice), 选举型
    candidates (item id → votes), and the order the choices were made in."""
    overall: str = None
    ordinary: dict = field(default_factory=dict)
    election: dict = field(default_factory=dict)
    order: list = field(default_factory=list)

    @property
    def empty(self):
        return self.overall is None and not self.ordinary and not any(self.election.values())

    def to_json(self):
        return {"overall": self.overall, "ordinary": {str(k): v for k, v in self.ordinary.items()},
                "election": {str(k): v for k, v in self.election.items()}, "order": self.order}

    @classmethod
    def from_json(cls, data):
        return cls(data.get("overall"), {int(k): v for k, v in data.get("ordinary", {}).items()},
                   {int(k): int(v) for k, v in data.get("election", {}).items()},
                   list(data.get("order", [])))


@dataclass
class Structure:
    meeting: object
    ordinary: list      # [(proposal, [items])]
    election: list      # [(proposal, [candidates])]
    items: dict         # id → item

    @property
    def groups(self):
        return sorted(self.ordinary + self.election, key=lambda pair: pair[0].number)


def structure(meeting):
    from sqlalchemy.orm import selectinload

    from models import VoteProposal
    proposals = db.session.execute(
        db.select(VoteProposal).where(VoteProposal.meeting_id == meeting.id)
        .options(selectinload(VoteProposal.items)).order_by(VoteProposal.number)).scalars().all()
    ordinary, election, items = [], [], {}
    for proposal in proposals:
        (election if proposal.is_election else ordinary).append((proposal, list(proposal.items)))
        for item in proposal.items:
            items[item.id] = item
    return Structure(meeting, ordinary, election, items)


def parse_votes(text, label):
    """A count of votes as typed: a non-negative whole number, or ValueError."""
    text = (text or "").strip().replace(",", "")
    if text == "":
        return 0
    if not INTEGER_RE.match(text):
        if text.startswith("-"):
            raise ValueError(f"{label}：表决权数不能为负数")
        raise ValueError(f"{label}：表决权数须为整数（不能有小数）")
    return int(text)


def parse_choice(text, label):
    text = (text or "").strip()
    if text == "":
        return None
    for key, name in CHOICES.items():
        if text in (key, name):
            return key
    raise ValueError(f"{label}：投票意见须为赞成、反对或弃权")


def parse_form(struct, form):
    """An Opinion from the ballot form (``overall``, ``item-<id>``, ``cand-<id>``,
    ``order``), or BallotInvalid listing every problem."""
    opinion, errors = Opinion(), []
    kinds = {item_id: item.proposal.is_election for item_id, item in struct.items.items()}
    for key, value in form.items():
        if key == OVERALL:
            if not struct.meeting.has_overall:
                errors.append("本次会议没有总议案")
                continue
            try:
                opinion.overall = parse_choice(value, "总议案")
            except ValueError as exc:
                errors.append(str(exc))
            continue
        match = re.fullmatch(r"(item|cand)-(\d{1,9})", key)
        if not match:
            continue
        item_id = int(match[2])
        if item_id not in kinds or kinds[item_id] != (match[1] == "cand"):
            errors.append(f"议案不存在（{key}）")
            continue
        label = struct.items[item_id].code
        try:
            if match[1] == "item":
                choice = parse_choice(value, label)
                if choice:
                    opinion.ordinary[item_id] = choice
            else:
                votes = parse_votes(value, label)
                if votes:
                    opinion.election[item_id] = votes
        except ValueError as exc:
            errors.append(str(exc))
    opinion.order = [k for k in (form.get("order") or "").split(",") if k][:500]
    if errors:
        raise BallotInvalid(errors)
    return opinion


@dataclass
class Resolved:
    """A holder's opinion made complete: the lines to record and what the preview shows."""
    lines: list
    ordinary: list      # [(item, choice, implicit, from_overall)]
    election: list      # [(proposal, rights, [(candidate, votes)], unallocated)]


def _rank(order, key, page_position):
    try:
        return order.index(key)
    except ValueError:
        return 100_000 + page_position


def resolve(struct, shares, opinion, holder_account, holder_name=""):
    """Check an opinion for ``shares`` and make it complete; BallotInvalid otherwise."""
    shares = int(shares)
    errors = []
    if shares <= 0:
        raise BallotInvalid(["该账户在权益登记日未持有该证券，不能投票"])
    if opinion.empty:
        raise BallotInvalid([NOTHING_CHOSEN])
    for item_id in list(opinion.ordinary) + list(opinion.election):
        if item_id not in struct.items:
            errors.append("议案不存在")
    lines, ordinary_view, election_view = [], [], []

    def line(proposal, item, choice, votes, implicit=False, overall=False):
        lines.append(dict(holder_account=holder_account, holder_name=holder_name,
                          holder_shares=shares, proposal_id=proposal.id,
                          item_id=item.id if item else None, choice=choice, votes=votes,
                          implicit=implicit, overall=overall))

    position = 0
    for proposal, items in struct.ordinary:
        for item in items:
            position += 1
            specific = opinion.ordinary.get(item.id)
            use_overall = opinion.overall is not None and (
                specific is None or _rank(opinion.order, OVERALL, 0)
                < _rank(opinion.order, f"item-{item.id}", position))
            if use_overall:
                choice, implicit, from_overall = opinion.overall, False, True
            elif specific:
                choice, implicit, from_overall = specific, False, False
            else:
                choice, implicit, from_overall = ABSTAIN, True, False
            line(proposal, item, choice, shares, implicit, from_overall)
            ordinary_view.append((item, choice, implicit, from_overall))
    for proposal, candidates in struct.election:
        rights = shares * (proposal.seats or 1)
        given = [(c, opinion.election.get(c.id, 0)) for c in candidates]
        total = sum(v for _, v in given)
        if total > rights:
            errors.append(f"{proposal.code} {proposal.title}：分配的表决权 {total:,} 超过本议案拥有的"
                          f"表决权数 {shares:,}×{proposal.seats}={rights:,}")
            continue
        for candidate, votes in given:
            if votes:
                line(proposal, candidate, VOTES, votes)
        if rights - total:
            line(proposal, None, ABSTAIN, rights - total, implicit=True)
        election_view.append((proposal, rights, given, rights - total))
    if errors:
        raise BallotInvalid(errors)
    return Resolved(lines, ordinary_view, election_view)


# --- casting ----------------------------------------------------------------------

def existing_ballot(meeting_id, account):
    return db.session.execute(db.select(VoteBallot).filter_by(
        meeting_id=meeting_id, account=account)).scalar_one_or_none()


def _chain_head(meeting_id):
    head = db.session.execute(db.select(VoteChain).where(VoteChain.meeting_id == meeting_id)
                              .with_for_update()).scalar_one_or_none()
    if head is None:
        try:
            with db.session.begin_nested():
                db.session.add(VoteChain(meeting_id=meeting_id, seq=0,
                                         head=receipts.genesis(meeting_id)))
        except IntegrityError:
            pass
        head = db.session.execute(db.select(VoteChain).where(
            VoteChain.meeting_id == meeting_id).with_for_update()).scalar_one()
    return head


def cast(meeting, holding, lines, *, user=None, channel, attempts=20):
    """Record the ballot of ``holding`` (its register row) once and commit. AlreadyVoted
    when the account has one (the first counts); VoteRefused outside the window, for a
    channel the account may not use, or for lines not its own. ``lines`` come from
    :func:`resolve` (a split account's: one per underlying holder)."""
    check_voter(meeting, holding, lines, channel)
    account, shares, split = holding.account, holding.quantity, holding.split
    if db.engine.dialect.name == "postgresql":
        return _cast_postgresql(meeting, account, shares, lines, user, channel, split)
    for _ in range(attempts):
        require_open(meeting)
        try:
            head = _chain_head(meeting.id)
            # Checked under the chain lock: a ballot committed while we waited is seen.
            first = existing_ballot(meeting.id, account)
            if first is not None:
                db.session.rollback()
                raise AlreadyVoted(first)
            ballot = VoteBallot(meeting_id=meeting.id, account=account, shares=int(shares),
                                split=split, user_id=user.id if user else None,
                                channel=channel, seq=head.seq + 1, prev_hash=head.head,
                                cast_at=clock.utcnow())
            rows = [VoteBallotLine(**spec) for spec in lines]
            ballot.receipt = receipts.receipt_for(head.head, ballot, rows)
            ballot.lines = rows
            db.session.add(ballot)
            head.seq, head.prev, head.head = ballot.seq, head.head, ballot.receipt
            db.session.commit()
            return ballot
        except IntegrityError:
            # Another submission won the race: for this account (refuse with its
            # receipt) or for the chain's next number (try again).
            db.session.rollback()
            first = existing_ballot(meeting.id, account)
            if first is not None:
                raise AlreadyVoted(first) from None
        except OperationalError:
            # SQLite: the database was locked by a concurrent writer. Wait a moment.
            db.session.rollback()
            time.sleep(random.uniform(0.01, 0.05))
            if db.engine.dialect.name != "sqlite":
                raise
        except AlreadyVoted:
            raise
        except Exception:
            db.session.rollback()
            raise
    raise VoteRefused("投票人数较多，提交未成功，请稍后重试（本次未记录任何投票）。")


LINE_COLUMNS = ["holder_account", "holder_name", "holder_shares", "proposal_id", "item_id",
                "choice", "votes", "implicit", "overall"]
APPEND_SQL = """
WITH h AS (
    UPDATE vote_chain SET seq = seq + 1, prev = head,
        head = encode(sha256(convert_to(head || E'\\n' || :canonical, 'UTF8')), 'hex')
    WHERE meeting_id = :meeting_id
    RETURNING seq, prev, head),
b AS (
    INSERT INTO vote_ballot (meeting_id, account, shares, split, user_id, channel, seq,
                             prev_hash, receipt, cast_at)
    SELECT :meeting_id, :account, :shares, :split, :user_id, :channel, h.seq, h.prev, h.head,
           :cast_at FROM h
    RETURNING id, seq, prev_hash, receipt),
l AS (
    INSERT INTO vote_ballot_line (ballot_id, holder_account, holder_name, holder_shares,
                                  proposal_id, item_id, choice, votes, implicit, overall)
    SELECT b.id, x.holder_account, x.holder_name, x.holder_shares, x.proposal_id, x.item_id,
           x.choice, x.votes, x.implicit, x.overall
    FROM b, jsonb_to_recordset(CAST(:lines AS jsonb)) AS x(
        holder_account text, holder_name text, holder_shares bigint, proposal_id integer,
        item_id integer, choice text, votes bigint, implicit boolean, overall boolean, n bigint)
    ORDER BY x.n)
SELECT id, seq, prev_hash, receipt FROM b
"""


def _cast_postgresql(meeting, account, shares, lines, user, channel, split):
    """PostgreSQL: the chain head moves, the ballot and its lines go in, in one statement
    (the head row stays locked only from that statement to the commit right after it, so
    requests queue on the lock for microseconds, not for the Python work of a request).
    The receipt is computed by the database's sha256() over exactly the text
    :func:`receipts.receipt_for` hashes, so ``verify`` checks it the same way."""
    import json

    from sqlalchemy import text
    require_open(meeting)
    probe = VoteBallot(meeting_id=meeting.id, account=account, shares=int(shares), split=split,
                       channel=channel, cast_at=clock.utcnow())
    canonical = receipts.canonical(probe, [VoteBallotLine(**spec) for spec in lines])
    params = dict(meeting_id=meeting.id, account=account, shares=int(shares), split=split,
                  user_id=user.id if user else None, channel=channel, cast_at=probe.cast_at,
                  canonical=canonical,
                  lines=json.dumps([{**{k: spec[k] for k in LINE_COLUMNS}, "n": n}
                                    for n, spec in enumerate(lines)],
                                   ensure_ascii=False))
    try:
        row = db.session.execute(text(APPEND_SQL), params).first()
        if row is None:  # the meeting's first ballot: start its chain, then append
            db.session.execute(text(
                "INSERT INTO vote_chain (meeting_id, seq, head) VALUES (:m, 0, :g) "
                "ON CONFLICT (meeting_id) DO NOTHING"),
                {"m": meeting.id, "g": receipts.genesis(meeting.id)})
            row = db.session.execute(text(APPEND_SQL), params).one()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = existing_ballot(meeting.id, account)
        if first is not None:
            raise AlreadyVoted(first) from None
        raise
    except Exception:
        db.session.rollback()
        raise
    # What the caller reads (account, receipt …), without another round trip.
    probe.id, probe.seq, probe.prev_hash, probe.receipt = row
    probe.user_id = params["user_id"]
    return probe
