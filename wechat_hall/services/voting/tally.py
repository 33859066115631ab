"""Totals per proposal, by tier (V-6, V-8, V-9), and their export.

Tiers (中小投资者单独计票) classify each holder — the account that voted, or for a credit
or nominee account each underlying holder — by the shares it held on the record date:

- ratio = shares ÷ the meeting's total share capital (总股本, entered with the meeting);
- market value = shares × the closing price on the record date (entered with the meeting);
- 1%以下且市值小于50万元: ratio < 1 % and value < 500,000 yuan;
- 1%以下且市值大于等于50万元: ratio < 1 % and value ≥ 500,000 yuan;
- 1%-5%(含1%): 1 % ≤ ratio < 5 %;
- 5%以上(含5%): ratio ≥ 5 %.

The three numbers are settings (VOTE_TIER_SMALL_RATIO, VOTE_TIER_LARGE_RATIO,
VOTE_TIER_MARKET_VALUE). Thresholds become whole share counts (ceil), so the database
compares integers and the result is exact.
"""
import csv
import io
import math
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, func

from models import VoteBallot, VoteBallotLine
from models.voting import ABSTAIN, AGAINST, CHOICES, FOR
from wechat_hall.extensions import db

from .meetings import results_published
from .opinions import structure

SMALL, SMALL_RICH, MIDDLE, LARGE = "small", "small_rich", "middle", "large"
TIER_KEYS = [SMALL, SMALL_RICH, MIDDLE, LARGE]


def _pct(value):
    return f"{(value * 100).normalize():f}%"


def _yuan(value):
    value = Decimal(value)
    return f"{(value / 10000).normalize():f}万元" if value >= 10000 else f"{value:f}元"


@dataclass(frozen=True)
class Tiers:
    small_ratio: Decimal
    large_ratio: Decimal
    market_value: Decimal
    ratio_1: int          # shares at or above this: ratio ≥ small_ratio
    ratio_5: int          # shares at or above this: ratio ≥ large_ratio
    value_shares: int     # shares at or above this: market value ≥ market_value (None: never)

    @property
    def labels(self):
        small, large, value = _pct(self.small_ratio), _pct(self.large_ratio), _yuan(self.market_value)
        return {SMALL: f"{small}以下且市值小于{value}",
                SMALL_RICH: f"{small}以下且市值大于等于{value}",
                MIDDLE: f"{small}-{large}(含{small})",
                LARGE: f"{large}以上(含{large})"}

    @property
    def item_labels(self):
        """The tiers as the seed words them under each item (图 3.1.1.3.10):
        持股1%以下且持股市值50万元以下 / 以上（含50万元）."""
        small, large, value = _pct(self.small_ratio), _pct(self.large_ratio), _yuan(self.market_value)
        return {SMALL: f"持股{small}以下且持股市值{value}以下",
                SMALL_RICH: f"持股{small}以下且持股市值{value}以上（含{value}）",
                MIDDLE: f"持股{small}-{large}（含{small}）",
                LARGE: f"持股{large}以上（含{large}）"}

    @property
    def below_label(self):
        return f"{_pct(self.small_ratio)}以下"

    def of(self, shares):
        if shares >= self.ratio_5:
            return LARGE
        if shares >= self.ratio_1:
            return MIDDLE
        if self.value_shares is not None and shares >= self.value_shares:
            return SMALL_RICH
        return SMALL

    def sql(self, column):
        whens = [(column >= self.ratio_5, LARGE), (column >= self.ratio_1, MIDDLE)]
        if self.value_shares is not None:
            whens.append((column >= self.value_shares, SMALL_RICH))
        return case(*whens, else_=SMALL)


def tiers_for(meeting, config=None):
    config = config or current_app.config
    small = Decimal(str(config.get("VOTE_TIER_SMALL_RATIO", "0.01")))
    large = Decimal(str(config.get("VOTE_TIER_LARGE_RATIO", "0.05")))
    value = Decimal(str(config.get("VOTE_TIER_MARKET_VALUE", "500000")))
    total = Decimal(int(meeting.total_shares))
    price = Decimal(meeting.close_price or 0)
    value_shares = math.ceil(value / price) if price > 0 else None
    return Tiers(small, large, value, math.ceil(total * small), math.ceil(total * large),
                 value_shares)


def _empty():
    return {key: 0 for key in TIER_KEYS + ["all"]}


@dataclass
class Tally:
    meeting: object
    tiers: Tiers
    ballots: int
    holders: dict           # tier → shares of the holders who voted
    holder_counts: dict     # tier → number of holders
    ordinary: dict          # item id → {choice: {tier: votes}}
    election: dict          # item id → {tier: votes}
    unallocated: dict       # proposal id → {tier: votes} (选举型 rights not given)

    @property
    def struct(self):
        return structure(self.meeting)


def published(meeting):
    """The meeting's totals once voting has closed, else None: what investors see, staff
    see and export (the rule is :func:`meetings.results_published`)."""
    return tally(meeting) if results_published(meeting) else None


def tally(meeting, ballot_id=None):
    """The meeting's totals (or one ballot's, by tier). Before the close only the voter's
    own ballot is shown (its receipt); the totals go through :func:`published`."""
    tiers = tiers_for(meeting)
    line = VoteBallotLine
    tier = tiers.sql(line.holder_shares).label("tier")
    scope = [VoteBallot.meeting_id == meeting.id]
    if ballot_id is not None:
        scope.append(VoteBallot.id == ballot_id)
    rows = db.session.execute(
        db.select(line.proposal_id, line.item_id, line.choice, tier, func.sum(line.votes))
        .join(VoteBallot, VoteBallot.id == line.ballot_id).where(*scope)
        .group_by(line.proposal_id, line.item_id, line.choice, tier)).all()
    ordinary, election, unallocated = {}, {}, {}
    election_ids = {p.id for p in meeting.proposals if p.is_election}
    for proposal_id, item_id, choice, tier_key, votes in rows:
        votes = int(votes or 0)
        if proposal_id in election_ids:
            bucket = (election.setdefault(item_id, _empty()) if item_id is not None
                      else unallocated.setdefault(proposal_id, _empty()))
        else:
            bucket = ordinary.setdefault(item_id, {c: _empty() for c in CHOICES})[choice]
        bucket[tier_key] += votes
        bucket["all"] += votes
    holders_q = (db.select(line.ballot_id, line.holder_account, line.holder_shares)
                 .join(VoteBallot, VoteBallot.id == line.ballot_id).where(*scope).distinct()
                 .subquery())
    held = db.session.execute(
        db.select(tiers.sql(holders_q.c.holder_shares), func.sum(holders_q.c.holder_shares),
                  func.count()).group_by(tiers.sql(holders_q.c.holder_shares))).all()
    holders, counts = _empty(), _empty()
    for tier_key, shares, count in held:
        holders[tier_key] += int(shares or 0)
        holders["all"] += int(shares or 0)
        counts[tier_key] += count
        counts["all"] += count
    ballots = db.session.execute(db.select(func.count(VoteBallot.id)).where(*scope)).scalar_one()
    return Tally(meeting, tiers, ballots, holders, counts, ordinary, election, unallocated)


def ordinary_totals(result, item_id):
    return result.ordinary.get(item_id, {c: _empty() for c in CHOICES})


def percent(part, whole):
    return f"{Decimal(part) * 100 / Decimal(whole):.4f}%" if whole else "—"


# --- export (V-9) ----------------------------------------------------------------

def rows_for_export(result):
    """One row per item (or candidate) and tier: the table issuers publish."""
    labels = result.tiers.labels
    tiers = [("all", "全部")] + [(k, labels[k]) for k in TIER_KEYS]
    out = []
    for proposal, items in result.struct.groups:
        for item in items:
            for key, label in tiers:
                if proposal.is_election:
                    votes = result.election.get(item.id, _empty())[key]
                    out.append([item.code, item.title, proposal.kind_label, label, "", "", "",
                                votes])
                else:
                    t = ordinary_totals(result, item.id)
                    shares = t[FOR][key] + t[AGAINST][key] + t[ABSTAIN][key]
                    out.append([item.code, item.title, proposal.kind_label, label,
                                t[FOR][key], t[AGAINST][key], t[ABSTAIN][key], "",
                                percent(t[FOR][key], shares)])
    return out


HEADER = ["编号", "议案/候选人", "类型", "投资者类别", "赞成", "反对", "弃权", "得票数(表决权)",
          "赞成比例"]


def export_csv(result):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows_for_export(result))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(result, batch=5000):
    """汇总 (totals by tier), 投票股东 (holders by tier) and 投票记录 (every ballot with its
    receipt: the audit trail)."""
    from openpyxl import Workbook
    meeting = result.meeting
    book = Workbook(write_only=True)
    sheet = book.create_sheet("汇总")
    sheet.append([f"{meeting.security_code} {meeting.security_name} {meeting.title}"])
    sheet.append([f"权益登记日 {meeting.record_date:%Y-%m-%d}", f"总股本 {meeting.total_shares}",
                  f"登记日收盘价 {meeting.close_price}", f"有效选票 {result.ballots} 张"])
    sheet.append(HEADER)
    for row in rows_for_export(result):
        sheet.append(row)
    holders = book.create_sheet("投票股东")
    holders.append(["投资者类别", "人数", "持有数量"])
    labels = result.tiers.labels
    for key in TIER_KEYS:
        holders.append([labels[key], result.holder_counts[key], result.holders[key]])
    holders.append(["合计", result.holder_counts["all"], result.holders["all"]])
    audit = book.create_sheet("投票记录")
    audit.append(["序号", "证券账户", "持股总数", "明细投票", "渠道", "投票时间(UTC)", "前序哈希",
                  "回执"])
    last = 0
    while True:
        ballots = db.session.execute(
            db.select(VoteBallot.seq, VoteBallot.account, VoteBallot.shares, VoteBallot.split,
                      VoteBallot.channel, VoteBallot.cast_at, VoteBallot.prev_hash,
                      VoteBallot.receipt)
            .where(VoteBallot.meeting_id == meeting.id, VoteBallot.seq > last)
            .order_by(VoteBallot.seq).limit(batch)).all()
        if not ballots:
            break
        for b in ballots:
            audit.append([b.seq, b.account, b.shares, "是" if b.split else "否", b.channel,
                          b.cast_at.strftime("%Y-%m-%d %H:%M:%S"), b.prev_hash, b.receipt])
        last = ballots[-1].seq
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
