"""ISS-1: a holder register of a security at a record date (权益登记日), from the ledger,
written as DBF, .xlsx or CSV (docs/ISSUERS.md).

``check_request`` turns what an operator (or later the issuer portal) typed into a
``RegisterRequest`` or refuses with a Chinese ``RegisterRefused``; ``write_register``
streams the rows into a file named by the seed's rule. The file is written under a
temporary name and renamed when complete: a refusal or an error leaves nothing behind.
"""
import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from models import Security
from models import registry as models_registry
from models.registry import MARKETS
from models.securities import B_STOCK, BOND, CONVERTIBLE
from wechat_hall import clock
from wechat_hall.adapters import register_files
from wechat_hall.extensions import db
from wechat_hall.services.accounts.id_numbers import id_type_label
from wechat_hall.services.queries import trading_days

from . import details, ledger
from .file_names import register_file_name
from .register_fields import FIELDS

KINDS = {"T1": "全体证券持有人名册（未合并融资融券信用账户）",
         "T2": "前N名证券持有人名册（未合并融资融券信用账户）",
         "T3": "合并普通账户和融资融券信用账户前N名证券持有人名册",
         "T4": "证券公司约定购回专用账户明细", "T5": "融资融券和转融通担保证券账户明细",
         "T6": "债券回购质押专用账户明细", "B": "B股全体证券持有人名册"}
TOP_KINDS = ("T2", "T3")
CLASS_KINDS = ("T1", "T2", "T3", "B")
MAX_TOP = 10_000
BOND_KINDS = (BOND, CONVERTIBLE)


class RegisterRefused(ValueError):
    """What is wrong with a request, in Chinese, for the operator or the issuer."""


@dataclass(frozen=True)
class RegisterRequest:
    kind: str
    security: Security
    record_date: date
    top: int | None = None
    xx: str = "03"
    fmt: str = "dbf"


def _security(code, market):
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise RegisterRefused(f"证券代码“{code}”应为6位数字")
    query = db.select(Security).filter_by(code=code)
    if market:
        if market.upper() not in MARKETS:
            raise RegisterRefused(f"市场“{market}”无效，应为 {'、'.join(MARKETS)}")
        query = query.filter_by(market=market.upper())
    found = db.session.execute(query).scalars().all()
    if not found:
        raise RegisterRefused(f"证券代码 {code} 不存在")
    if len(found) > 1:
        raise RegisterRefused(f"证券代码 {code} 在多个市场存在，请指定市场")
    return found[0]


def _record_date(text):
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise RegisterRefused(f"权益登记日“{text}”应为 YYYY-MM-DD 格式的日期") from None
    if day > clock.today():
        raise RegisterRefused(f"权益登记日 {day} 晚于今天，尚无名册")
    if not trading_days.is_trading_day(day):
        raise RegisterRefused(f"{day} 不是交易日，权益登记日应为交易日")
    return day


def _top(kind, top):
    if top in (None, ""):
        return None
    if kind not in TOP_KINDS:
        raise RegisterRefused(f"{kind} 为全体名册，不能指定前N名（仅 T2、T3 可指定）")
    try:
        value = int(str(top).strip())
    except ValueError:
        raise RegisterRefused(f"前N名数量“{top}”应为整数") from None
    if not 1 <= value <= MAX_TOP:
        raise RegisterRefused(f"前N名数量应在 1 至 {MAX_TOP:,} 之间；需要全部持有人请不指定前N名")
    return value


def check_request(kind, code, record_date, top=None, xx=None, fmt="dbf", market=None):
    """A checked request, or RegisterRefused naming the first problem."""
    kind = (kind or "").strip().upper()
    if kind not in KINDS:
        raise RegisterRefused(f"名册种类“{kind}”无效，应为 {'、'.join(KINDS)}")
    fmt = (fmt or "dbf").strip().lower()
    if fmt not in register_files.FORMATS:
        raise RegisterRefused(f"文件格式“{fmt}”无效，应为 dbf、xlsx 或 csv")
    if xx not in (None, "") and kind not in CLASS_KINDS:
        raise RegisterRefused(f"{kind} 不区分证券类别（--class 仅适用于 T1、T2、T3 和 B 股名册）")
    xx = (xx or "03").strip()
    if xx not in ledger.CLASSES:
        raise RegisterRefused(f"证券类别“{xx}”无效，应为 01 无限售流通股、02 非流通股、"
                              "03 全部股本类型或 05 限售流通股")
    security = _security(code, market)
    if kind == "B" and security.kind != B_STOCK:
        raise RegisterRefused(f"{security} 不是B股，不能生成B股全体名册")
    if kind == "T6" and security.kind not in BOND_KINDS:
        raise RegisterRefused(f"{security} 不是债券，T6 债券回购质押明细仅适用于债券")
    return RegisterRequest(kind, security, _record_date(record_date), _top(kind, top), xx, fmt)


def holder_cells(row):
    return [row.name, id_type_label(row.id_type), row.id_number, ledger.holder_category(row)]


def contact_cells(row):
    return [row.address or "", row.postcode or "", row.phone or ""]


def ratio(quantity, total):
    """Per cent of 总股本, four decimals."""
    if not total:
        return Decimal(0)
    return (Decimal(quantity) * 100 / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _t1(req):
    code, labels, individual = req.security.code, {}, models_registry.INDIVIDUAL
    for (account, _ymt, name, id_type, id_number, holder_type, category, address, postcode,
         phone, zqlb, ltlx, qylb, gpnf, qycs, unit, quantity) in ledger.t1_rows(
            req.security.id, req.record_date, req.xx):
        label = labels.get(id_type) or labels.setdefault(id_type, id_type_label(id_type))
        if not category:
            category = "1000" if holder_type == individual else "2000"
        yield (code, account, name, label, id_number, category, quantity, zqlb, ltlx, qylb,
               gpnf, qycs, unit, address, postcode, phone)


def _merged(req):
    t3 = req.kind == "T3"
    sid, day = req.security.id, req.record_date
    total = ledger.total_shares(sid, day)
    freezes = ledger.merged_freezes(sid, day, merge_credit=t3)
    rows = ledger.merged_rows(sid, day, req.xx, merge_credit=t3, top=req.top)
    for rank, r in enumerate(rows, start=1):
        quantity, credit = int(r.quantity), int(r.credit or 0)
        frozen, pledged = freezes.get(r.investor_id, (0, 0))
        split = [quantity - credit, credit] if t3 else []
        yield [rank, req.security.code, r.ymt, r.account, r.accounts, *holder_cells(r),
               quantity, *split, ratio(quantity, total), frozen, pledged, *contact_cells(r)]


def rows_of(req):
    """The register's rows, in its fields' order (``register_fields.FIELDS[kind]``)."""
    if req.kind in ("T1", "B"):
        return _t1(req)
    if req.kind in TOP_KINDS:
        return _merged(req)
    return details.ROWS[req.kind](req, holder_cells)


@dataclass(frozen=True)
class WrittenRegister:
    path: Path
    rows: int


def write_register(req, out_dir):
    """Write the register into ``out_dir``; returns the path and row count. Refuses (and
    leaves no file) when the security has no holders of the scope on the record date."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise RegisterRefused(f"输出目录 {out_dir} 不存在")
    name = register_file_name(req.kind, req.security.code, req.record_date, req.xx, req.top,
                              clock.today())
    if req.fmt != "dbf":
        name += f".{req.fmt}"
    path = out_dir / name
    partial = out_dir / f".{name}.part"
    writer = register_files.open_writer(req.fmt, partial, FIELDS[req.kind], req.kind)
    try:
        for row in rows_of(req):
            writer.write(row)
        writer.close()
    except BaseException:
        register_files.abandon(writer)
        partial.unlink(missing_ok=True)
        raise
    if writer.count == 0:
        partial.unlink(missing_ok=True)
        raise RegisterRefused(f"{req.security} 在 {req.record_date} 无{empty_what(req)}，"
                              "未生成名册")
    os.replace(partial, path)
    return WrittenRegister(path, writer.count)


def empty_what(req):
    return {"T4": "约定购回明细", "T5": "担保证券账户明细", "T6": "回购质押明细"}.get(
        req.kind, f"{ledger.CLASSES[req.xx]}持有人")
