"""Holder-meeting network voting (V-1..V-9).

A meeting (持有人会议) carries what the vote needs about its security — 证券代码, 证券简称,
total share capital and the closing price on the record date (the tiers of V-8 use them)
— entered in the back office. Its proposals are numbered like the seed: a group N.00
(表决型: its items N.01, N.02 … are voted 赞成/反对/弃权; 选举型: its items are the
candidates and the group has 当选数 seats), with an optional 总议案.

The register (V-2) is the holders on the record date, one row per securities account;
rows with a ``parent_account`` are the underlying holders (明细账户) of a credit or
nominee account. A ballot is inserted once and never updated: (meeting, account) is
unique, and every ballot carries a receipt hash chained to the previous ballot of the
meeting (``services.voting.receipts``).
"""
from wechat_hall.extensions import db

from .base import utcnow
from .registry import _in

# VoteProposal.kind
ORDINARY, ELECTION = "ordinary", "election"
PROPOSAL_KINDS = {ORDINARY: "表决型", ELECTION: "选举型"}

# VoteBallotLine.choice
FOR, AGAINST, ABSTAIN, VOTES = "for", "against", "abstain", "votes"
CHOICES = {FOR: "赞成", AGAINST: "反对", ABSTAIN: "弃权"}
LINE_CHOICES = {**CHOICES, VOTES: "表决权"}

# VoteBallot.channel
WECHAT, WEB = "wechat", "web"
CHANNELS = {WECHAT: "微信营业厅", WEB: "网上营业厅"}

# VoteSplitDraft.source
TYPED, EXCEL = "typed", "excel"


class VoteMeeting(db.Model):
    """持有人会议 (V-1)."""

    __tablename__ = "vote_meeting"
    __table_args__ = (db.CheckConstraint("closes_at > opens_at", name="window"),
                      db.CheckConstraint("total_shares > 0", name="total_shares"),
                      db.CheckConstraint("close_price >= 0", name="close_price"))

    id = db.Column(db.Integer, primary_key=True)
    security_code = db.Column(db.String(6), nullable=False, index=True)   # 证券代码
    security_name = db.Column(db.String(32), nullable=False)              # 证券简称
    title = db.Column(db.String(128), nullable=False)                     # 会议名称
    record_date = db.Column(db.Date, nullable=False)                      # 权益登记日
    opens_at = db.Column(db.DateTime, nullable=False)                     # naive UTC
    closes_at = db.Column(db.DateTime, nullable=False)
    total_shares = db.Column(db.BigInteger, nullable=False)               # 总股本
    close_price = db.Column(db.Numeric(14, 4), nullable=False)            # 登记日收盘价
    # 总议案: a vote on it is the same opinion on every 表决型 item.
    has_overall = db.Column(db.Boolean, nullable=False, default=False)
    notice = db.Column(db.Text, nullable=False, default="")               # 会议说明
    register_file = db.Column(db.String(255))
    register_rows = db.Column(db.Integer)
    register_imported_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    proposals = db.relationship("VoteProposal", back_populates="meeting",
                                order_by="VoteProposal.number",
                                cascade="all, delete-orphan")

    def __str__(self):
        return f"{self.security_code} {self.security_name} {self.title}"


class VoteProposal(db.Model):
    """议案组 N.00: 表决型 (items voted one by one) or 选举型 (candidates, 当选数)."""

    __tablename__ = "vote_proposal"
    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),
                      db.CheckConstraint("number >= 1 AND number <= 99", name="number"),
                      db.CheckConstraint(_in("kind", PROPOSAL_KINDS), name="kind"),
                      db.CheckConstraint("seats IS NULL OR seats >= 1", name="seats"))

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("vote_meeting.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)        # the N of N.00
    title = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(16), nullable=False, default=ORDINARY)
    seats = db.Column(db.Integer)                         # 当选数 (选举型 only)

    meeting = db.relationship("VoteMeeting", back_populates="proposals")
    items = db.relationship("VoteItem", back_populates="proposal", order_by="VoteItem.number",
                            cascade="all, delete-orphan")

    @property
    def code(self):
        return f"{self.number}.00"

    @property
    def is_election(self):
        return self.kind == ELECTION

    @property
    def kind_label(self):
        return PROPOSAL_KINDS.get(self.kind, self.kind)

    def __str__(self):
        return f"{self.code} {self.title}"


class VoteItem(db.Model):
    """N.01, N.02 …: a 表决型 proposal, or a candidate of a 选举型 group."""

    __tablename__ = "vote_item"
    __table_args__ = (db.UniqueConstraint("proposal_id", "number"),
                      db.CheckConstraint("number >= 1 AND number <= 99", name="number"))

    id = db.Column(db.Integer, primary_key=True)
    proposal_id = db.Column(db.Integer, db.ForeignKey("vote_proposal.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(255), nullable=False)

    proposal = db.relationship("VoteProposal", back_populates="items")

    @property
    def code(self):
        return f"{self.proposal.number}.{self.number:02d}"

    def __str__(self):
        return f"{self.code} {self.title}"


class VoteHolding(db.Model):
    """The register on the record date (V-2), aggregated per securities account.

    ``parent_account`` is "" for a holder of the register, or the credit/nominee account
    this row is an underlying holder (明细账户) of. ``split``: the account votes per
    underlying holder (V-7) on the web hall."""

    __tablename__ = "vote_holding"
    __table_args__ = (db.UniqueConstraint("meeting_id", "parent_account", "account"),
                      db.CheckConstraint("quantity >= 0", name="quantity"))

    id = db.Column(db.Integer, primary_key=True)
    # No foreign key on purpose: a register of a million rows goes in with COPY, and the
    # per-row FK check tripled its time. The import service is the only writer, checks
    # the meeting, and meetings are never deleted (the back office cannot).
    meeting_id = db.Column(db.Integer, nullable=False)
    parent_account = db.Column(db.String(10), nullable=False, default="")
    account = db.Column(db.String(10), nullable=False, index=True)
    name = db.Column(db.String(128), nullable=False)
    id_number = db.Column(db.String(40), nullable=False, default="")
    holder_category = db.Column(db.String(4), nullable=False, default="")
    quantity = db.Column(db.BigInteger, nullable=False)
    split = db.Column(db.Boolean, nullable=False, default=False)


class VoteChain(db.Model):
    """The head of a meeting's receipt chain; locked while a ballot is appended."""

    __tablename__ = "vote_chain"

    meeting_id = db.Column(db.Integer, db.ForeignKey("vote_meeting.id", ondelete="CASCADE"),
                           primary_key=True)
    seq = db.Column(db.Integer, nullable=False, default=0)
    head = db.Column(db.String(64), nullable=False)
    prev = db.Column(db.String(64))  # the head before the last append


class VoteBallot(db.Model):
    """One cast ballot (V-5): inserted once, never updated or deleted."""

    __tablename__ = "vote_ballot"
    __table_args__ = (db.UniqueConstraint("meeting_id", "account", name="uq_vote_ballot_account"),
                      db.UniqueConstraint("meeting_id", "seq", name="uq_vote_ballot_seq"),
                      db.CheckConstraint(_in("channel", CHANNELS), name="channel"))

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("vote_meeting.id"), nullable=False)
    account = db.Column(db.String(10), nullable=False)
    shares = db.Column(db.BigInteger, nullable=False)       # 持股总数 on the record date
    split = db.Column(db.Boolean, nullable=False, default=False)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="SET NULL"))
    channel = db.Column(db.String(8), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    prev_hash = db.Column(db.String(64), nullable=False)
    receipt = db.Column(db.String(64), nullable=False, unique=True)
    cast_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    meeting = db.relationship("VoteMeeting")
    lines = db.relationship("VoteBallotLine", back_populates="ballot",
                            order_by="VoteBallotLine.id")

    @property
    def channel_label(self):
        return CHANNELS.get(self.channel, self.channel)


class VoteBallotLine(db.Model):
    """One opinion of a ballot: per (underlying) holder and item. 表决型:赞成/反对/弃权
    with the holder's shares; 选举型: ``votes`` given to a candidate (item), or, with no
    item, the group's rights left unallocated (弃权). ``implicit``: not voted, counted as
    弃权; ``overall``: the opinion came from the 总议案."""

    __tablename__ = "vote_ballot_line"
    __table_args__ = (db.CheckConstraint(_in("choice", LINE_CHOICES), name="choice"),
                      db.CheckConstraint("votes >= 0", name="votes"))

    id = db.Column(db.Integer, primary_key=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("vote_ballot.id"), nullable=False,
                          index=True)
    holder_account = db.Column(db.String(10), nullable=False)
    holder_name = db.Column(db.String(128), nullable=False, default="")
    holder_shares = db.Column(db.BigInteger, nullable=False)
    proposal_id = db.Column(db.Integer, db.ForeignKey("vote_proposal.id"), nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("vote_item.id"))
    choice = db.Column(db.String(8), nullable=False)
    votes = db.Column(db.BigInteger, nullable=False)
    implicit = db.Column(db.Boolean, nullable=False, default=False)
    overall = db.Column(db.Boolean, nullable=False, default=False)

    ballot = db.relationship("VoteBallot", back_populates="lines")


class VoteSplitDraft(db.Model):
    """What a credit or nominee account has entered or uploaded so far (V-7): replaced by
    each upload during the window, turned into a ballot by 提交投票结果."""

    __tablename__ = "vote_split_draft"
    __table_args__ = (db.UniqueConstraint("meeting_id", "account"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("vote_meeting.id", ondelete="CASCADE"),
                           nullable=False)
    account = db.Column(db.String(10), nullable=False)
    rows = db.Column(db.JSON, nullable=False, default=list)
    source = db.Column(db.String(8), nullable=False, default=TYPED)
    user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id", ondelete="SET NULL"))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
