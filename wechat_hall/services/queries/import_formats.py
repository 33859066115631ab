"""What each registrar data file's line must hold (Q-2..Q-7; formats in docs/QUERIES.md).

One parser per data set turns a CSV line (a dict of the header's columns) into the model,
its natural key and its values, or raises :class:`LineError` with the reason in Chinese.
References to other registry rows (accounts, securities, custodian units, brokers) are
looked up in :class:`Lookups`, loaded once per file. imports.py runs the parsers over a
whole file and writes the result.
"""
from datetime import datetime
from decimal import Decimal, InvalidOperation

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

SOURCE = "import"


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
