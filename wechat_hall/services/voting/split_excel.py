"""The Excel template of a credit or nominee account (V-7): download it, upload it filled.

The template has one column per item (and 总议案 when the meeting has one) after the
holder's account, name and holding, and a sheet of instructions. An upload is checked
whole: any bad row refuses the file with per-row messages and the draft stays as it was;
a good file replaces the draft (split.py), which 提交投票结果 turns into the ballot.
"""
import io

from models.voting import EXCEL

from . import register
from .opinions import Opinion, parse_choice, parse_votes
from .split import UploadInvalid, check_holder, check_total, ensure_open, save_draft

MAX_ROWS = 20_000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FIXED = ["明细证券账户", "持有人名称", "持有数量"]
OVERALL_HEADER = "0.00 总议案"


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
    ensure_open(meeting, parent)
    holders = parse_xlsx(struct, parent, data)
    return save_draft(meeting, parent, holders, EXCEL, user)

