"""Credit and nominee accounts (V-7): votes per underlying holder.

The institution enters the underlying holders one at a time (明细证券账户 → name and
holding filled in from the imported underlying list, when there is one) or uploads the
Excel template (split_excel.py). Both build a draft that each upload replaces during the window; 提交投票
结果 turns the draft into one ballot whose lines are the holders' opinions, each weighed
with that holder's shares. Every upload is checked whole: any bad row refuses the file
with per-row messages and the draft stays as it was. The holders' total never exceeds
the account's holding.
"""
import re
from dataclasses import dataclass

from models import VoteSplitDraft
from models.voting import TYPED, WEB
from wechat_hall.extensions import db
from wechat_hall.services.accounts import account_numbers, id_numbers

from . import ballots, opinions, register
from .meetings import VoteRefused, require_open
from .opinions import BallotInvalid, Opinion, resolve


class UploadInvalid(VoteRefused):
    def __init__(self, errors):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


@dataclass
class Holder:
    account: str
    name: str
    shares: int
    opinion: Opinion

    def to_json(self):
        return {"account": self.account, "name": self.name, "shares": self.shares,
                "opinion": self.opinion.to_json()}

    @classmethod
    def from_json(cls, data):
        return cls(data["account"], data["name"], int(data["shares"]),
                   Opinion.from_json(data["opinion"]))


def draft_for(meeting_id, account):
    return db.session.execute(db.select(VoteSplitDraft).filter_by(
        meeting_id=meeting_id, account=account)).scalar_one_or_none()


def draft_holders(meeting_id, account):
    draft = draft_for(meeting_id, account)
    return [Holder.from_json(row) for row in (draft.rows if draft else [])]


def lookup(meeting_id, parent, account):
    """The underlying holder as imported (name, holding), or None."""
    account = id_numbers.normalize_id_number(account)
    return register.underlying(meeting_id, parent).get(account)


def check_holder(struct, parent, under, account, name, shares_text, opinion, label):
    """One underlying holder, checked; returns Holder or raises ValueError(messages)."""
    errors = []
    account = id_numbers.normalize_id_number(account)
    name = (name or "").strip()
    if account_numbers.securities_account_market(account) is None:
        raise ValueError([f"{label}明细证券账户 {account or '（空）'} 格式有误"])
    if account == parent.account:
        raise ValueError([f"{label}明细证券账户不能是本账户"])
    if under:
        known = under.get(account)
        if known is None:
            raise ValueError([f"{label}证券账户 {account} 不是本账户在权益登记日的明细持有人"])
        if shares_text not in (None, "") and _int_or_none(shares_text) != known.quantity:
            errors.append(f"{label}持有数量 {shares_text} 与登记数据 {known.quantity} 不符")
        name, shares = known.name, known.quantity
    else:
        if not name:
            errors.append(f"{label}请填写持有人名称")
        shares = _int_or_none(shares_text)
        if shares is None or shares <= 0:
            errors.append(f"{label}持有数量须为正整数")
    if errors:
        raise ValueError(errors)
    try:
        resolve(struct, shares, opinion, account, name)
    except BallotInvalid as exc:
        raise ValueError([label + e for e in exc.errors]) from None
    return Holder(account, name[:128], shares, opinion)


def _int_or_none(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value or "").strip().replace(",", "")
    return int(text) if re.fullmatch(r"\d{1,15}", text) else None


def check_total(parent, holders):
    seen, errors = set(), []
    for holder in holders:
        if holder.account in seen:
            errors.append(f"明细证券账户 {holder.account} 重复")
        seen.add(holder.account)
    total = sum(h.shares for h in holders)
    if total > parent.quantity:
        errors.append(f"明细持有数量合计 {total:,} 股，超过本账户持股总数 {parent.quantity:,} 股")
    return errors


def save_draft(meeting, parent, holders, source, user):
    draft = draft_for(meeting.id, parent.account)
    if draft is None:
        draft = VoteSplitDraft(meeting_id=meeting.id, account=parent.account)
        db.session.add(draft)
    draft.rows = [h.to_json() for h in holders]
    draft.source = source
    draft.user_id = user.id if user else None
    db.session.commit()
    return draft


def ensure_open(meeting, parent):
    require_open(meeting)
    first = ballots.existing_ballot(meeting.id, parent.account)
    if first is not None:
        raise ballots.AlreadyVoted(first)


def add_typed(meeting, struct, parent, form, user):
    """网页录入: one underlying holder from the form; UploadInvalid on any problem."""
    ensure_open(meeting, parent)
    try:
        opinion = opinions.parse_form(struct, form)
    except BallotInvalid as exc:
        raise UploadInvalid(exc.errors) from None
    under = register.underlying(meeting.id, parent.account)
    try:
        holder = check_holder(struct, parent, under, form.get("holder_account"),
                              form.get("holder_name"), form.get("holder_shares"), opinion, "")
    except ValueError as exc:
        raise UploadInvalid(exc.args[0]) from None
    holders = [h for h in draft_holders(meeting.id, parent.account)]
    if any(h.account == holder.account for h in holders):
        raise UploadInvalid([f"明细证券账户 {holder.account} 已录入；如需修改请先删除该条"])
    holders.append(holder)
    errors = check_total(parent, holders)
    if errors:
        raise UploadInvalid(errors)
    return save_draft(meeting, parent, holders, TYPED, user)


def remove_typed(meeting, parent, account, user):
    ensure_open(meeting, parent)
    holders = draft_holders(meeting.id, parent.account)
    kept = [h for h in holders if h.account != account]
    if len(kept) == len(holders):
        raise UploadInvalid(["未找到该条投票明细"])
    return save_draft(meeting, parent, kept, TYPED, user)


def submit(meeting, struct, parent, user):
    """提交投票结果: the draft becomes the account's ballot (once)."""
    ensure_open(meeting, parent)
    holders = draft_holders(meeting.id, parent.account)
    if not holders:
        raise VoteRefused("尚未录入或上传任何投票明细。")
    errors = check_total(parent, holders)
    if errors:
        raise UploadInvalid(errors)
    lines = []
    for holder in holders:
        try:
            lines += resolve(struct, holder.shares, holder.opinion, holder.account,
                             holder.name).lines
        except BallotInvalid as exc:
            raise UploadInvalid([f"{holder.account}：{e}" for e in exc.errors]) from None
    ballot = ballots.cast(meeting, parent, lines, user=user, channel=WEB)
    draft = draft_for(meeting.id, parent.account)
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()
    return ballot
