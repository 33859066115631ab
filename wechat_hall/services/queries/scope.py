"""Who may query what (Q-1..Q-8): an activated user, only the securities accounts of the
一码通 bound to them, and dates inside the query window.

Every query service takes a :class:`Scope` built here, never account ids from a request,
so an account number typed into a URL that is not the user's is refused in one place.
"""
from dataclasses import dataclass
from datetime import date, datetime

from models.registry import MARKETS
from wechat_hall import clock

from . import trading_days


class QueryError(ValueError):
    """A refusal the page shows beside ``field``."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass
class Scope:
    accounts: list  # SecuritiesAccount rows the query covers

    @property
    def account_ids(self):
        return [a.id for a in self.accounts]

    @property
    def by_id(self):
        return {a.id: a for a in self.accounts}


def user_accounts(user):
    """The user's own securities accounts (of the bound 一码通), or [] if not activated."""
    if user is None or not user.is_activated:
        return []
    return list(user.ymt_account.securities_accounts)


def scope_for(user, account_number=None, market=None):
    """The accounts a query covers: all of the user's, or the one chosen (which must be
    theirs), narrowed to a market."""
    accounts = user_accounts(user)
    if not accounts:
        raise QueryError("请先绑定并激活一码通")
    if market:
        if market not in MARKETS:
            raise QueryError("请选择正确的交易市场", "market")
        accounts = [a for a in accounts if a.market == market]
    if account_number:
        number = account_number.strip().upper()
        chosen = [a for a in user_accounts(user) if a.number == number]
        if not chosen:
            raise QueryError("该证券账户不属于您已绑定的一码通", "account")
        if market and chosen[0].market != market:
            raise QueryError("所选证券账户不属于所选交易市场", "account")
        accounts = chosen
    return Scope(accounts)


def parse_date(value, field="date"):
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise QueryError("请输入正确的日期（如 2026-08-30）", field) from None


def window(years=1, today=None):
    """The first and last date a query may ask for: the last ``years`` up to today."""
    today = today or clock.today()
    return trading_days.years_back(today, years), today


def check_date(day, years=1, field="date", today=None, trading=False):
    first, last = window(years, today)
    if day > last:
        raise QueryError("查询日期不能晚于今天", field)
    if day < first:
        raise QueryError(f"仅提供近{'一' if years == 1 else '三'}年内（{first:%Y-%m-%d} 起）的查询",
                         field)
    if trading and not trading_days.is_trading_day(day):
        raise QueryError(f"{day:%Y-%m-%d} 不是交易日，请选择交易日", field)
    return day


def check_range(start, end, years=1, today=None):
    check_date(start, years, "start", today)
    check_date(end, years, "end", today)
    if start > end:
        raise QueryError("开始日期不能晚于结束日期", "start")
    return start, end
