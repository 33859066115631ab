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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from models import (
    Broker,
    CustodianUnit,
    Dividend,
    Freeze,
    HoldingChange,
    IpoSubscription,
    SecuritiesAccount,
    Security,
)
from models.registry import MARKETS
from models.securities import CHANGE_KINDS, FREEZE_KINDS, LTLX, QYLB, SECURITY_TYPES, ZQLB
from wechat_hall.extensions import db

from . import holdings

SOURCE = "import"


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


class LineError(ValueError):
    pass


# -- field parsers ------------------------------------------------------------------

def _text(row, key, required=True, max_len=128):
    value = (row.get(key) or "").strip()
    if required and not value:
        raise LineError(f"{key} 不能为空")
    if len(value) > max_len:
        raise LineError(f"{key} 过长（最多 {max_len} 个字符）")
    return value


def _date(row, key, required=True):
    value = _text(row, key, required)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise LineError(f"{key} 不是日期（YYYY-MM-DD）：{value}") from None


def _int(row, key, required=True, minimum=None):
    value = _text(row, key, required)
    if not value:
        return 0
    try:
        number = int(value)
    except ValueError:
        raise LineError(f"{key} 不是整数：{value}") from None
    if minimum is not None and number < minimum:
        raise LineError(f"{key} 不能小于 {minimum}")
    return number


def _choice(row, key, choices, required=True, default=""):
    value = _text(row, key, required).upper() if key != "kind" else _text(row, key, required)
    value = value or default
    if value not in choices:
        raise LineError(f"{key} 不是可用的取值：{value}")
    return value


class Lookups:
    """Registry rows by natural key, loaded once per file."""

    def __init__(self):
        self.accounts = {a.number: a for a in db.session.execute(
            db.select(SecuritiesAccount)).scalars()}
        self.securities = {(s.market, s.code): s for s in db.session.execute(
            db.select(Security)).scalars()}
        self.units = {(u.market, u.code): u for u in db.session.execute(
            db.select(CustodianUnit)).scalars()}
        self.brokers = {b.code: b for b in db.session.execute(db.select(Broker)).scalars()}

    def account(self, row, key="account"):
        number = _text(row, key).upper()
        if number not in self.accounts:
            raise LineError(f"证券账户 {number} 不存在")
        return self.accounts[number]

    def security(self, market, row, key="code"):
        code = _text(row, key)
        if (market, code) not in self.securities:
            raise LineError(f"证券 {code}（{MARKETS.get(market, market)}）不存在")
        return self.securities[(market, code)]

    def unit(self, market, row, key="unit"):
        code = _text(row, key)
        if (market, code) not in self.units:
            raise LineError(f"托管单元 {code}（{MARKETS.get(market, market)}）不存在")
        return self.units[(market, code)]


# -- data sets ----------------------------------------------------------------------

def _securities(row, look):
    market = _choice(row, "market", MARKETS)
    code = _text(row, "code", max_len=6)
    if not (code.isdigit() and len(code) == 6):
        raise LineError(f"code 应为6位数字：{code}")
    kind = _choice(row, "kind", SECURITY_TYPES)
    year = _int(row, "listed_year", required=False, minimum=1990) or None
    values = dict(name=_text(row, "name", max_len=32), kind=kind, listed_year=year)
    return Security, dict(market=market, code=code), values


def _units(row, look):
    market = _choice(row, "market", MARKETS)
    code = _text(row, "code", max_len=8)
    broker_code = _text(row, "broker_code", required=False)
    if broker_code and broker_code not in look.brokers:
        raise LineError(f"证券公司 {broker_code} 不存在")
    values = dict(name=_text(row, "name"),
                  broker_id=look.brokers[broker_code].id if broker_code else None)
    return CustodianUnit, dict(market=market, code=code), values


def _changes(row, look):
    account = look.account(row)
    kind = _choice(row, "kind", CHANGE_KINDS)
    quantity = _int(row, "quantity")
    if quantity == 0:
        raise LineError("quantity 不能为 0")
    values = dict(
        account_id=account.id, security_id=look.security(account.market, row).id,
        unit_id=look.unit(account.market, row).id, trade_date=_date(row, "trade_date"),
        seq=_int(row, "seq", required=False, minimum=0), kind=kind, quantity=quantity,
        zqlb=_choice(row, "zqlb", ZQLB, False, "PT"), ltlx=_choice(row, "ltlx", LTLX, False, "0"),
        qylb=_choice(row, "qylb", QYLB, False, ""),
        gpnf=_int(row, "gpnf", required=False, minimum=0),
        qycs=_int(row, "qycs", required=False, minimum=0),
        gfxz=_text(row, "gfxz", required=False, max_len=32) or "无限售流通股")
    return HoldingChange, dict(source=SOURCE, ref=_text(row, "ref", max_len=96)), values


def _freezes(row, look):
    account = look.account(row)
    start, end = _date(row, "start_date"), _date(row, "end_date", False)
    released = _date(row, "released_on", False)
    if end and end < start:
        raise LineError("end_date 早于 start_date")
    if released and released < start:
        raise LineError("released_on 早于 start_date")
    values = dict(account_id=account.id, security_id=look.security(account.market, row).id,
                  unit_id=look.unit(account.market, row).id,
                  kind=_choice(row, "kind", FREEZE_KINDS),
                  quantity=_int(row, "quantity", minimum=1), start_date=start, end_date=end,
                  released_on=released, authority=_text(row, "authority"),
                  document=_text(row, "document", required=False, max_len=64))
    return Freeze, dict(source=SOURCE, ref=_text(row, "ref", max_len=96)), values


def _ipo(row, look):
    account = look.account(row)
    security = look.security(account.market, row)
    won, paid = _int(row, "won_quantity", minimum=0), _int(row, "paid_quantity", minimum=0)
    if paid > won:
        raise LineError("paid_quantity 大于 won_quantity")
    values = dict(subscribe_code=_text(row, "subscribe_code", max_len=6),
                  quantity=_int(row, "quantity", minimum=1),
                  first_number=_text(row, "first_number", max_len=12),
                  number_count=_int(row, "number_count", minimum=1),
                  won_count=_int(row, "won_count", minimum=0), won_quantity=won,
                  paid_quantity=paid, pay_date=_date(row, "pay_date"))
    key = dict(account_id=account.id, security_id=security.id,
               subscribed_on=_date(row, "subscribed_on"))
    return IpoSubscription, key, values


def _dividends(row, look):
    market = _choice(row, "market", MARKETS)
    security = look.security(market, row)
    try:
        per_share = Decimal(_text(row, "per_share"))
    except InvalidOperation:
        raise LineError("per_share 不是数字") from None
    if per_share <= 0:
        raise LineError("per_share 应大于 0")
    record = _date(row, "record_date")
    values = dict(ex_date=_date(row, "ex_date"), pay_date=_date(row, "pay_date"),
                  per_share=per_share)
    if values["ex_date"] < record:
        raise LineError("ex_date 早于 record_date")
    return Dividend, dict(security_id=security.id, record_date=record), values


# name → (parser, required columns, may a stored row be updated?)
DATASETS = {
    "securities": (_securities, ["market", "code", "name", "kind"], True),
    "units": (_units, ["market", "code", "name"], True),
    "changes": (_changes, ["ref", "account", "code", "unit", "trade_date", "kind",
                           "quantity"], False),
    "freezes": (_freezes, ["ref", "account", "code", "unit", "kind", "quantity",
                           "start_date", "authority"], True),
    "ipo": (_ipo, ["account", "code", "subscribed_on", "subscribe_code", "quantity",
                   "first_number", "number_count", "won_count", "won_quantity",
                   "paid_quantity", "pay_date"], True),
    "dividends": (_dividends, ["market", "code", "record_date", "ex_date", "pay_date",
                               "per_share"], True),
}


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
    return [(reader.line_num, row) for row in reader]


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
