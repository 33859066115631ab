"""Opinions (V-4): what a holder chose on a ballot, read from the form and checked against
the exchanges' rules on the server, before anything is recorded.

Rules (docs/VOTING.md):
- weight = shares held on the record date; 表决型 items: one of 赞成/反对/弃权;
- 选举型 groups: rights = shares × 当选数, given to one candidate or spread; more than
  the rights is refused (the whole ballot, before anything is recorded);
- 总议案: the same opinion on every 表决型 item; between it and a specific opinion on the
  same item, the earlier one given wins (the page sends the order the holder chose in;
  without it the page order, where 总议案 comes first, decides);
- items left unvoted count as 弃权 (the preview says so).

ballots.py casts what :func:`resolve` made complete.
"""
import re
from dataclasses import dataclass, field

from models.voting import ABSTAIN, CHOICES, VOTES
from wechat_hall.extensions import db

from .meetings import VoteRefused

INTEGER_RE = re.compile(r"^\d{1,15}$")
OVERALL = "overall"
NOTHING_CHOSEN = "您尚未填写任何投票意见。"


class BallotInvalid(VoteRefused):
    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors



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
    """The meeting's proposals and items. Once the meeting has a ballot they are fixed
    (``admin.py`` refuses every change), so this process keeps them from then on, as
    copies that belong to no database session; until then they are read each time."""
    from flask import current_app
    frozen = current_app.extensions.setdefault("vote_structures", {})
    key = (meeting.id, meeting.created_at)
    if key in frozen:
        return Structure(meeting, *frozen[key])
    from sqlalchemy.orm import selectinload

    from models import VoteProposal

    from .admin import has_ballots
    proposals = db.session.execute(
        db.select(VoteProposal).where(VoteProposal.meeting_id == meeting.id)
        .options(selectinload(VoteProposal.items)).order_by(VoteProposal.number)).scalars().all()
    if has_ballots(meeting.id):
        proposals = [_detached_copy(p) for p in proposals]
        frozen[key] = _groups(proposals)
        return Structure(meeting, *frozen[key])
    return Structure(meeting, *_groups(proposals))


def _groups(proposals):
    ordinary, election, items = [], [], {}
    for proposal in proposals:
        (election if proposal.is_election else ordinary).append((proposal, list(proposal.items)))
        for item in proposal.items:
            items[item.id] = item
    return ordinary, election, items


def _detached_copy(proposal):
    """A proposal and its items as new objects outside any session (read only)."""
    def copy(obj):
        twin = type(obj)()
        for column in obj.__table__.columns:
            setattr(twin, column.key, getattr(obj, column.key))
        return twin
    twin = copy(proposal)
    twin.items = [copy(item) for item in proposal.items]  # sets each item's .proposal too
    return twin


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
    ordinary: list      # [(item, choice, implicit, from_overall, set_aside choice or None)]
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
            # an explicit choice the earlier 总议案 overrode: the preview says it was set aside
            set_aside = specific if use_overall and specific and specific != choice else None
            ordinary_view.append((item, choice, implicit, from_overall, set_aside))
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

