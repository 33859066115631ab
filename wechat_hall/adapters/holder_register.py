"""证券持有人名册 T1 (全体证券持有人名册，未合并融资融券信用账户): the holder register the
registrar sends issuers at the end of a record date (seed 002), as DBF or as CSV.

The DBF is read with ``dbfread`` (GBK text, as the registrar's files are); a CSV with the
same column names (UTF-8, header row) is accepted too. Columns, documented in
docs/HOLDER_REGISTER.md:

    ZQDM 证券代码 · ZQZH 证券账户 · HSTMC 持有人名称 · HSTZJLB 证件类别 · HSTZJHM 证件号码 ·
    HSTCYRLB 持有人类别 (1000/2000/2010/2020/2001/2002 …) · CYSL 持有数量 ·
    ZQLB 证券类别 (PT/XL) · LTLX 流通类型 (0/A/B/C/D/F/N) · QYLB 权益类别 (HL/P/S) ·
    HSTTXDZ 通讯地址 · HSTYZBM 邮政编码 · HSTDH 联系电话

Every row is checked; any bad row makes the whole file refused (:class:`RegisterError`
lists them by record number), so an import never half-happens. :func:`parse_filename`
reads the file-name convention (``t1`` + 证券代码 + xx + 权益登记日 + all/tN + ``.mdd``).
"""
import csv
import re
import struct
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from models.registry import is_account_number

REQUIRED = ["ZQDM", "ZQZH", "HSTMC", "HSTZJHM", "CYSL"]
OPTIONAL = ["HSTZJLB", "HSTCYRLB", "ZQLB", "LTLX", "QYLB", "HSTTXDZ", "HSTYZBM", "HSTDH"]
ZQLB = {"PT": "普通", "XL": "限售"}
LTLX = {"0": "无限售流通股", "A": "首发后限售股", "B": "股权激励限售股", "C": "首发前限售股",
        "D": "非流通股", "F": "高管锁定股", "N": "其他"}
QYLB = {"HL": "红利", "P": "配股", "S": "送股"}
# 持有人类别: 1st digit 自然人(1)/非自然人(2); 2nd 国有(1)/境外(2); 3rd QFII(1)/RQFII(2);
# 4th 证券投资基金(1)/私募基金(2); 0 = 未标识.
CATEGORY_RE = re.compile(r"^[12][0-2][0-2][0-2]$")
SCOPES = {"03": "全部股本类型", "01": "无限售流通股", "02": "非流通股", "05": "限售流通股"}
FILENAME_RE = re.compile(
    r"^(?P<kind>t[1-6])(?P<code>\d{6})(?P<xx>\d{2})?(?P<date>\d{8})(?P<scope>all|t\d+)"
    r"\.(?P<month>[1-9abc])(?P<day>\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class RegisterRow:
    record: int             # 1-based record (DBF) or line (CSV) number
    security_code: str
    account: str
    name: str
    id_type: str
    id_number: str
    holder_category: str
    quantity: Decimal
    zqlb: str
    ltlx: str
    qylb: str
    address: str
    postcode: str
    phone: str

    @property
    def natural_person(self):
        return self.holder_category[:1] == "1"


@dataclass(frozen=True)
class RegisterFileName:
    kind: str           # t1 … t6
    security_code: str
    scope: str          # xx: 03 全部股本类型 … ("" for t4–t6, which have none)
    record_date: date   # 权益登记日
    extent: str         # all, or tN (前 N 名)


class RegisterError(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


def parse_filename(name):
    """``t16000010320170418all.420`` → t1 of 600001, 03, record date 2017-04-18, all.
    None when the name does not follow the convention."""
    match = FILENAME_RE.match(Path(str(name)).name)
    if not match:
        return None
    try:
        record_date = date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
    except ValueError:
        return None
    return RegisterFileName(match["kind"].lower(), match["code"], match["xx"] or "", record_date,
                            match["scope"].lower())


def read_register(path, progress=None):
    """All rows of a T1 file (``.dbf``/DBF content, or ``.csv``), or RegisterError.

    ``progress(done, total)`` is called as records are read (for a progress bar)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            records, total = _csv_records(path)
        else:
            records, total = _dbf_records(path)
        rows, errors = [], []
        for number, record in enumerate(records, start=1):
            try:
                rows.append(_row(number, record))
            except ValueError as exc:
                errors.append(f"第 {number} 条记录：{exc}")
            if progress and (number % 500 == 0 or number == total):
                progress(number, total)
    except RegisterError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, struct.error, EOFError) as exc:
        raise RegisterError([f"无法读取名册文件：{exc}"]) from None
    if errors:
        raise RegisterError(errors)
    return rows


def _dbf_records(path):
    from dbfread import DBF
    from dbfread.exceptions import DBFNotFound, MissingMemoFile

    from .whole_files import dbf_problem
    problem = dbf_problem(path)  # a file cut short is refused whole, never half-read
    if problem:
        raise RegisterError([problem])
    try:
        table = DBF(str(path), encoding="gbk", char_decode_errors="strict", load=False)
        fields = [f.upper() for f in table.field_names]
    except (DBFNotFound, MissingMemoFile, ValueError, OSError, struct.error, EOFError) as exc:
        raise RegisterError([f"不是有效的 DBF 名册文件：{exc}"]) from None
    _require(fields)
    total = len(table)
    upper = [f.upper() for f in table.field_names]
    records = (dict(zip(upper, rec.values())) for rec in table)
    return records, total


def _csv_records(path):
    from .whole_files import cut_csv_row
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().upper() for f in (reader.fieldnames or [])]
    _require(fields)
    reader.fieldnames = fields  # normalised once, not per record
    rows = list(reader)
    for number, row in enumerate(rows, start=2):
        problem = cut_csv_row(number, row, len(fields))
        if problem:
            raise RegisterError([problem])
    return rows, len(rows)


def _require(fields):
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise RegisterError([f"名册缺少字段：{', '.join(missing)}"])


def _text(record, key):
    value = record.get(key)
    if value is None:
        return ""
    return value.strip() if value.__class__ is str else str(value).strip()


def _row(number, record):
    code = _text(record, "ZQDM")
    if not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"证券代码 {code!r} 应为6位数字")
    account = _text(record, "ZQZH").upper()
    if not is_account_number(account):
        raise ValueError(f"证券账户 {account!r} 格式有误")
    name = _text(record, "HSTMC")
    if not name:
        raise ValueError("持有人名称为空")
    raw_qty = record.get("CYSL")
    try:
        quantity = Decimal(str(raw_qty).strip()) if raw_qty not in (None, "") else None
    except InvalidOperation:
        quantity = None
    if quantity is None or quantity < 0:
        raise ValueError(f"持有数量 {raw_qty!r} 不是非负数")
    category = _text(record, "HSTCYRLB")
    if category and not CATEGORY_RE.match(category):
        raise ValueError(f"持有人类别 {category!r} 无效")
    ltlx = _text(record, "LTLX").upper()
    if ltlx and ltlx not in LTLX:
        raise ValueError(f"流通类型 {ltlx!r} 无效")
    zqlb = _text(record, "ZQLB").upper()
    if zqlb and zqlb not in ZQLB:
        raise ValueError(f"证券类别 {zqlb!r} 无效")
    qylb = _text(record, "QYLB").upper()
    if qylb and qylb not in QYLB:
        raise ValueError(f"权益类别 {qylb!r} 无效")
    return RegisterRow(number, code, account, name, _text(record, "HSTZJLB"),
                       _text(record, "HSTZJHM").upper(), category, quantity, zqlb, ltlx, qylb,
                       _text(record, "HSTTXDZ"), _text(record, "HSTYZBM"),
                       _text(record, "HSTDH"))


def write_dbf(path, rows):
    """Write rows (dicts keyed by the column names) as a T1 DBF file, GBK-encoded.
    For demo data and tests: the registrar's own files come from its systems."""
    import dbf
    spec = ("ZQDM C(6); ZQZH C(10); HSTMC C(80); HSTZJLB C(4); HSTZJHM C(40); HSTCYRLB C(4); "
            "CYSL N(17,0); ZQLB C(2); LTLX C(1); QYLB C(2); HSTTXDZ C(120); HSTYZBM C(6); "
            "HSTDH C(30)")
    table = dbf.Table(str(path), spec, codepage="cp936")
    table.open(dbf.READ_WRITE)
    try:
        for row in rows:
            table.append({k.lower(): row.get(k, "") if k != "CYSL" else row.get(k, 0)
                          for k in REQUIRED + OPTIONAL})
    finally:
        table.close()
    return path
