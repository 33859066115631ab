"""Credit and nominee accounts (V-7): votes per underlying holder.

The institution enters the underlying holders one at a time (明细证券账户 → name and
holding filled in from the imported underlying list, when there is one) or uploads the
Excel template. Both build a draft that each upload replaces during the window; 提交投票
结果 turns the draft into one ballot whose lines are the holders' opinions, each weighed
with that holder's shares. Every upload is checked whole: any bad row refuses the file
with per-row messages and the draft stays as it was. The holders' total never exceeds
the account's holding.
"""
import io
import re
from dataclasses import dataclass

from models import VoteSplitDraft
from models.voting import EXCEL, TYPED, WEB
from wechat_hall.extensions import db
from wechat_hall.services.accounts import id_numbers

from . import ballots, opinions, register
from .opinions import BallotInvalid, Opinion, parse_choice, parse_votes, resolve
from .meetings import VoteRefused, require_open

MAX_ROWS = 20_000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FIXED = ["明细证券账户", "持有人名称", "持有数量"]
OVERALL_HEADER = "0.00 总议案"


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
    if id_numbers.securities_account_market(account) is None:
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


def _save(meeting, parent, holders, source, user):
    draft = draft_for(meeting.id, parent.account)
    if draft is None:
        draft = VoteSplitDraft(meeting_id=meeting.id, account=parent.account)
        db.session.add(draft)
    draft.rows = [h.to_json() for h in holders]
    draft.source = source
    draft.user_id = user.id if user else None
    db.session.commit()
    return draft


def _ensure_open(meeting, parent):
    require_open(meeting)
    first = ballots.existing_ballot(meeting.id, parent.account)
    if first is not None:
        raise ballots.AlreadyVoted(first)


def add_typed(meeting, struct, parent, form, user):
    """网页录入: one underlying holder from the form; UploadInvalid on any problem."""
    _ensure_open(meeting, parent)
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
    return _save(meeting, parent, holders, TYPED, user)


def remove_typed(meeting, parent, account, user):
    _ensure_open(meeting, parent)
    holders = draft_holders(meeting.id, parent.account)
    kept = [h for h in holders if h.account != account]
    if len(kept) == len(holders):
        raise UploadInvalid(["未找到该条投票明细"])
    return _save(meeting, parent, kept, TYPED, user)


# --- Excel -----------------------------------------------------------------------

def headers(struct):
    cols = list(FIXED)
    if struct.meeting.has_overall:
        cols.append(OVERALL_HEADER)
    for proposal, items in struct.groups:
        for item in items:
            cols.append(f"{item.code} {item.title}")
    return cols


def template_xlsx(struct, parent):
    """The downloadable template: 投票明细 (one row per holder) and 填写说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation
    meeting = struct.meeting
    book = Workbook()
    sheet = book.active
    sheet.title = "投票明细"
    sheet.append(headers(struct))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for col in range(1, len(headers(struct)) + 1):
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = 18
    sheet.column_dimensions["A"].number_format = "@"
    choice = DataValidation(type="list", formula1='"赞成,反对,弃权"', allow_blank=True)
    sheet.add_data_validation(choice)
    col = len(FIXED) + 1
    if meeting.has_overall:
        choice.add(f"{sheet.cell(1, col).column_letter}2:{sheet.cell(1, col).column_letter}"
                   f"{MAX_ROWS + 1}")
        col += 1
    for proposal, items in struct.groups:
        for _ in items:
            if not proposal.is_election:
                letter = sheet.cell(1, col).column_letter
                choice.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            col += 1
    notes = book.create_sheet("填写说明")
    for line in instructions(struct, parent):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def instructions(struct, parent):
    meeting = struct.meeting
    lines = [
        f"{meeting.security_code} {meeting.security_name} {meeting.title}  权益登记日 "
        f"{meeting.record_date:%Y-%m-%d}",
        f"证券账户 {parent.account}，持股总数 {parent.quantity}",
        "上传投票模板说明：",
        "1. 在“投票明细”表中每位明细持有人填写一行；第一行表头不要修改。",
        "2. 明细证券账户：沪市为1位字母加9位数字，深市为10位数字（请按文本填写，保留开头的0）。",
        "3. 持有人名称、持有数量：已导入明细数据的账户可留空，系统按登记数据填写；"
        "填写时须与登记数据一致。未导入明细数据的账户须填写，持有数量为正整数。",
        "4. 表决型议案填写“赞成”“反对”或“弃权”；留空的议案计为弃权。",
        "5. 选举型议案（累积投票）在每位候选人一列填写投给该候选人的表决权数（非负整数）；"
        "同一议案各候选人合计不得超过该持有人持有数量×当选数。",
    ]
    if meeting.has_overall:
        lines.append("6. 总议案：对除选举型议案外的所有议案表达相同意见；同一行中总议案与具体议案"
                     "都填写时，以具体议案的意见为准。")
    lines += [
        "所有明细持有数量合计不得超过本账户持股总数。文件中任何一行有误，整个文件不被接受，"
        "已保存的投票明细保持不变；投票期间可多次上传，以最后一次成功上传为准。",
        "上传后请点击“提交投票结果”并确认，投票结果方可正式计入；提交后不能更改。",
    ]
    for proposal, items in struct.groups:
        seats = f"（选举型，当选数 {proposal.seats}）" if proposal.is_election else "（表决型）"
        lines.append(f"{proposal.code} {proposal.title}{seats}")
    return lines


def parse_xlsx(struct, parent, data):
    """Every holder of an uploaded template, or UploadInvalid with per-row messages."""
    if not data:
        raise UploadInvalid(["请选择要上传的 Excel 文件"])
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadInvalid(["文件过大（不超过5MB）"])
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book["投票明细"] if "投票明细" in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        raise UploadInvalid(["文件不是有效的 Excel（.xlsx）文件，请下载模板填写后上传"]) from None
    if not rows:
        raise UploadInvalid(["文件是空的"])
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if header[:3] != FIXED:
        raise UploadInvalid(["表头应以“明细证券账户、持有人名称、持有数量”开头，请使用下载的模板"])
    by_code = {item.code: item for item in struct.items.values()}
    columns, errors = [], []
    for index, title in enumerate(header[3:], start=4):
        code = title.split()[0] if title else ""
        if title == OVERALL_HEADER or code == "0.00":
            if not struct.meeting.has_overall:
                errors.append(f"表头第 {index} 列：本次会议没有总议案")
            columns.append(("overall", None))
        elif code in by_code:
            columns.append(("item", by_code[code]))
        else:
            errors.append(f"表头第 {index} 列“{title}”不是本次会议的议案")
            columns.append((None, None))
    if errors:
        raise UploadInvalid(errors)
    if len(rows) > MAX_ROWS + 1:
        raise UploadInvalid([f"明细不能超过 {MAX_ROWS} 行"])
    under = register.underlying(struct.meeting.id, parent.account)
    holders = []
    for number, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * (len(header) - len(row))
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        label = f"第 {number} 行："
        opinion, row_errors = Opinion(), []
        for (kind, item), value in zip(columns, row[3:]):
            try:
                if kind == "overall":
                    opinion.overall = parse_choice(_text(value), "总议案")
                elif kind == "item" and item.proposal.is_election:
                    votes = _votes(value, item.code)
                    if votes:
                        opinion.election[item.id] = votes
                elif kind == "item":
                    choice = parse_choice(_text(value), item.code)
                    if choice:
                        opinion.ordinary[item.id] = choice
            except ValueError as exc:
                row_errors.append(label + str(exc))
        if not row_errors:
            # The template's rule: in one row, a specific opinion precedes the 总议案.
            opinion.order = [f"item-{i}" for i in opinion.ordinary] + ["overall"]
            try:
                holders.append(check_holder(struct, parent, under, _account(row[0]),
                                            _text(row[1]), row[2], opinion, label))
            except ValueError as exc:
                row_errors += exc.args[0]
        errors += row_errors
    if not holders and not errors:
        errors.append("文件中没有投票明细")
    errors += check_total(parent, holders)
    if errors:
        raise UploadInvalid(errors)
    return holders


def _text(value):
    return "" if value is None else str(value).strip()


def _account(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(10)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).zfill(10)
    return _text(value)


def _votes(value, label):
    if isinstance(value, bool):
        raise ValueError(f"{label}：表决权数须为整数")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{label}：表决权数不能为负数")
        return value
    if isinstance(value, float):
        if value < 0:
            raise ValueError(f"{label}：表决权数不能为负数")
        if not value.is_integer():
            raise ValueError(f"{label}：表决权数须为整数（不能有小数）")
        return int(value)
    return parse_votes(_text(value), label)


def upload(meeting, struct, parent, data, user):
    """上传投票明细: replaces the draft when the whole file is valid."""
    _ensure_open(meeting, parent)
    holders = parse_xlsx(struct, parent, data)
    return _save(meeting, parent, holders, EXCEL, user)


def submit(meeting, struct, parent, user):
    """提交投票结果: the draft becomes the account's ballot (once)."""
    _ensure_open(meeting, parent)
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
