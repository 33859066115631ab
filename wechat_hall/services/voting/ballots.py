"""Ballots (V-5): cast a holder's checked opinion once, on the meeting's receipt chain.

The first ballot of an account counts: a unique (meeting, account) constraint, insert
only, and a second submission is refused with the first ballot's receipt. The lines come
from opinions.py's :func:`~.opinions.resolve` (a split account's: one per underlying
holder). Each ballot takes the next link of its meeting's chain (receipts.py): under the
chain head's row lock, or on PostgreSQL in one statement that moves the head and inserts
the ballot and its lines.
"""
import json
import random
import time

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from models import VoteBallot, VoteBallotLine, VoteChain
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.telemetry import metrics

from . import receipts
from .meetings import VoteRefused, check_voter, require_open


class AlreadyVoted(VoteRefused):
    def __init__(self, ballot):
        super().__init__(f"该证券账户已于本次会议投票，投票结果不能更改。回执：{ballot.receipt}")
        self.ballot = ballot


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
    :func:`.opinions.resolve` (a split account's: one per underlying holder)."""
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
            metrics.BALLOTS.inc()
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


LINE_COLUMNS = receipts.LINE_FIELDS
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
# Built once: parsing the text for its bind parameters cost every ballot 40–60 µs.
_APPEND = text(APPEND_SQL)
_START_CHAIN = text("INSERT INTO vote_chain (meeting_id, seq, head) VALUES (:m, 0, :g) "
                    "ON CONFLICT (meeting_id) DO NOTHING")


def _cast_postgresql(meeting, account, shares, lines, user, channel, split):
    """PostgreSQL: the chain head moves, the ballot and its lines go in, in one statement
    (the head row stays locked only from that statement to the commit right after it, so
    requests queue on the lock for microseconds, not for the Python work of a request).
    The receipt is computed by the database's sha256() over exactly the text
    :func:`receipts.receipt_for` hashes, so ``verify`` checks it the same way."""
    require_open(meeting)
    probe = VoteBallot(meeting_id=meeting.id, account=account, shares=int(shares), split=split,
                       channel=channel, cast_at=clock.utcnow())
    canonical = receipts.canonical(probe, lines)
    params = dict(meeting_id=meeting.id, account=account, shares=int(shares), split=split,
                  user_id=user.id if user else None, channel=channel, cast_at=probe.cast_at,
                  canonical=canonical,
                  lines=json.dumps([{**{k: spec[k] for k in LINE_COLUMNS}, "n": n}
                                    for n, spec in enumerate(lines)],
                                   ensure_ascii=False))
    try:
        row = db.session.execute(_APPEND, params).first()
        if row is None:  # the meeting's first ballot: start its chain, then append
            db.session.execute(_START_CHAIN, {"m": meeting.id, "g": receipts.genesis(meeting.id)})
            row = db.session.execute(_APPEND, params).one()
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
    metrics.BALLOTS.inc()
    return probe
