"""Trade-feed reader (ACC-8 c): the orders brokers report, as a CSV file.

Format (UTF-8, header row required; see docs/TRADEFEED.md):
``trade_date,account,security_code,side,price,quantity,broker_code,order_no``
Each row is checked; a bad row is reported with its line number and the whole file is
refused, so an import never half-happens.
"""
import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

COLUMNS = ["trade_date", "account", "security_code", "side", "price", "quantity",
           "broker_code", "order_no"]
SIDES = {"B": "买入", "S": "卖出", "P": "申购"}


@dataclass(frozen=True)
class TradeOrder:
    line: int
    trade_date: date
    account: str
    security_code: str
    side: str
    price: Decimal
    quantity: int
    broker_code: str
    order_no: str


class FeedError(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


def read_orders(path):
    """All orders of the file, or :class:`FeedError` listing every bad line."""
    from .whole_files import cut_csv_row
    orders, errors = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise FeedError([f"缺少列：{', '.join(missing)}"])
            for row in reader:
                line = reader.line_num
                cut = cut_csv_row(line, row, len(reader.fieldnames))
                if cut:  # the file was cut short: refused whole, whatever else it holds
                    raise FeedError([cut])
                try:
                    orders.append(_parse(line, row))
                except ValueError as exc:
                    errors.append(f"第 {line} 行：{exc}")
    except UnicodeDecodeError:
        raise FeedError(["文件不是 UTF-8 编码"]) from None
    if errors:
        raise FeedError(errors)
    return orders


def _parse(line, row):
    try:
        trade_date = date.fromisoformat((row["trade_date"] or "").strip())
    except ValueError:
        raise ValueError("trade_date 应为 YYYY-MM-DD") from None
    account = (row["account"] or "").strip().upper()
    if not (len(account) == 10 and account[0].isalpha() and account[1:].isdigit()
            or len(account) == 10 and account.isdigit()):
        raise ValueError(f"证券账户 {account!r} 格式有误")
    code = (row["security_code"] or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise ValueError(f"证券代码 {code!r} 应为6位数字")
    side = (row["side"] or "").strip().upper()
    if side not in SIDES:
        raise ValueError(f"买卖方向 {side!r} 应为 B、S 或 P")
    try:
        price = Decimal((row["price"] or "").strip())
    except InvalidOperation:
        raise ValueError("价格不是数字") from None
    if price <= 0 or price.as_tuple().exponent < -3:
        raise ValueError("价格须为正数，最多三位小数")
    qty_text = (row["quantity"] or "").strip()
    if not qty_text.isdigit() or int(qty_text) <= 0:
        raise ValueError("数量须为正整数")
    return TradeOrder(line, trade_date, account, code, side, price, int(qty_text),
                      (row["broker_code"] or "").strip(), (row["order_no"] or "").strip())
