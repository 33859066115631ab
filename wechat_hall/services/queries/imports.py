"""Imports of the registrar's data files (Q-2..Q-7; formats in docs/QUERIES.md).

One CSV format per data set (UTF-8, a header line, ``,``-separated), and the T1 holder
register (DBF or CSV, adapters/holder_register.py). Every file is all or nothing: each
line is checked first, every bad line is reported by its number, and nothing is written
unless all are good. Re-importing a file changes nothing: rows are keyed by their natural
key (a ledger row by its 流水号 ``ref``), identical rows are skipped and a row that
contradicts what is stored under its key is an error.
"""
import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from models import HoldingChange
from models.securities import LTLX
from wechat_hall.extensions import db

from . import holdings
from .import_formats import DATASETS, SOURCE, LineError, Lookups


class ImportRefused(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


@dataclass
class Result:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _same(value, stored):
    if isinstance(stored, Decimal) or isinstance(value, Decimal):
        return Decimal(str(value)) == Decimal(str(stored))
    return value == stored


def read_csv(path, required):
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused([f"无法读取文件（需为 UTF-8 编码的 CSV）：{exc}"]) from None
    reader = csv.DictReader(text.splitlines())
    fields = [(f or "").strip() for f in reader.fieldnames or []]
    missing = [c for c in required if c not in fields]
    if missing:
        raise ImportRefused([f"第 1 行（表头）：缺少列 {', '.join(missing)}"])
    reader.fieldnames = fields
    rows = [(reader.line_num, row) for row in reader]
    from wechat_hall.adapters.whole_files import cut_csv_row
    for line, row in rows:  # a file cut short is refused whole, not imported to the cut
        problem = cut_csv_row(line, row, len(fields))
        if problem:
            raise ImportRefused([problem])
    return rows


def import_csv(dataset, path, progress=None):
    """Import one file of ``dataset``; the caller commits. Raises ImportRefused."""
    parse, required, updatable = DATASETS[dataset]
    lines = read_csv(path, required)
    look = Lookups()
    parsed, errors, seen = [], [], {}
    for done, (line, row) in enumerate(lines, 1):
        try:
            if None in row:
                raise LineError("列数多于表头")
            model, key, values = parse(row, look)
            token = (model.__name__,) + tuple(sorted(key.items()))
            if token in seen:
                raise LineError(f"与第 {seen[token]} 行重复")
            seen[token] = line
            parsed.append((line, model, key, values))
        except LineError as exc:
            errors.append(f"第 {line} 行：{exc}")
        if progress:
            progress(done, len(lines))
    result = Result(rows=len(parsed))
    for line, model, key, values in parsed:
        stored = db.session.execute(db.select(model).filter_by(**key)).scalar_one_or_none()
        if stored is None:
            db.session.add(model(**key, **values))
            result.added += 1
            continue
        changed = {k: v for k, v in values.items() if not _same(v, getattr(stored, k))}
        if not changed:
            result.unchanged += 1
        elif not updatable:
            errors.append(f"第 {line} 行：流水号 {key.get('ref')} 已导入且内容不同"
                          f"（{', '.join(changed)}）")
        else:
            for k, v in changed.items():
                setattr(stored, k, v)
            result.updated += 1
    if errors:
        db.session.rollback()
        raise ImportRefused(errors)
    db.session.flush()
    return result


# -- the T1 holder register ----------------------------------------------------------

def import_t1(path, record_date=None, progress=None):
    """Reconcile the ledger with a T1 register: for each line, a 名册核对调整 row at the
    record date brings the position (account, security, share class) to the register's
    quantity. Holders we know but the register (a whole one: ``03``/``all``) does not
    list are brought to zero. The caller commits. Raises ImportRefused."""
    from wechat_hall.adapters.holder_register import RegisterError, parse_filename, read_register
    name = Path(path).name
    meta = parse_filename(name[:-4] if name.lower().endswith(".csv") else name)
    if record_date is None:
        if meta is None:
            raise ImportRefused(["文件名不符合 T1 名册命名规则，请用 --record-date 指定权益登记日"])
        record_date = meta.record_date
    try:
        rows = read_register(path, progress)
    except RegisterError as exc:
        raise ImportRefused(exc.errors) from None
    look = Lookups()
    errors, targets = [], {}
    for row in rows:
        account = look.accounts.get(row.account)
        if account is None:
            errors.append(f"第 {row.record} 条记录：证券账户 {row.account} 不存在")
            continue
        security = look.securities.get((account.market, row.security_code))
        if security is None:
            errors.append(f"第 {row.record} 条记录：证券 {row.security_code} 不存在")
            continue
        if meta and meta.security_code != row.security_code:
            errors.append(f"第 {row.record} 条记录：证券代码 {row.security_code} 与文件名不符")
            continue
        if row.quantity != int(row.quantity):
            errors.append(f"第 {row.record} 条记录：持有数量应为整数")
            continue
        share = (row.zqlb or "PT", row.ltlx or "0", row.qylb or "")
        key = (account.id, security.id) + share
        if key in targets:
            errors.append(f"第 {row.record} 条记录：与第 {targets[key][0]} 条重复")
            continue
        targets[key] = (row.record, int(row.quantity), account, security)
    if errors:
        raise ImportRefused(errors)
    securities = {k[1] for k in targets}
    if meta and meta.scope == "03" and meta.extent == "all":
        code_ids = {s.id for (m, c), s in look.securities.items() if c == meta.security_code}
        securities |= code_ids
    current = {}  # (account, security, zqlb, ltlx, qylb) → [(position key, qty)]
    accounts = list(look.accounts.values())
    for key, qty in holdings.balances([a.id for a in accounts], record_date).items():
        if key[1] in securities:
            current.setdefault((key[0], key[1], key[3], key[4], key[5]), []).append((key, qty))
    result = Result(rows=len(targets))
    tag = name.lower()
    whole = meta is not None and meta.scope == "03" and meta.extent == "all"
    keys = set(targets) | (set(current) if whole else set())
    for key in sorted(keys):
        wanted = targets[key][1] if key in targets else 0
        positions = current.get(key, [])
        held = sum(q for _, q in positions)
        ref = f"t1:{tag}:{key[0]}:{key[1]}:{''.join(key[2:])}"
        exists = db.session.execute(db.select(HoldingChange.id).filter_by(
            source=SOURCE, ref=ref)).first()
        if held == wanted or exists:
            result.unchanged += 1
            continue
        if positions:
            pos = positions[0][0]
            unit_id, gpnf, qycs, gfxz = pos[2], pos[6], pos[7], pos[8]
        else:
            unit_id = _latest_unit(key[0])
            if unit_id is None:
                raise ImportRefused([f"第 {targets[key][0]} 条记录：无法确定证券账户的托管单元"])
            gpnf, qycs, gfxz = 0, 0, "无限售流通股" if key[3] == "0" else LTLX.get(key[3], "")
        db.session.add(HoldingChange(
            account_id=key[0], security_id=key[1], unit_id=unit_id, trade_date=record_date,
            seq=999, kind="register", quantity=wanted - held, zqlb=key[2], ltlx=key[3],
            qylb=key[4], gpnf=gpnf, qycs=qycs, gfxz=gfxz, source=SOURCE, ref=ref))
        result.added += 1
    db.session.flush()
    return result


def _latest_unit(account_id):
    return db.session.execute(
        db.select(HoldingChange.unit_id).filter_by(account_id=account_id)
        .order_by(HoldingChange.trade_date.desc(), HoldingChange.id.desc()).limit(1)
    ).scalar_one_or_none()


def parse_day(text):
    return date.fromisoformat(text) if text else None
