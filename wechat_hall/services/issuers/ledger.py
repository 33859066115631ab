"""The holder registers' queries over the ledger (ISS-1, ISS-3).

The same rule as the investor's queries (``services/queries/holdings.py``): a position's
holding at the end of day D is the sum of its ``HoldingChange`` rows up to D. Everything
here is one grouped SQL statement, streamed (``yield_per``: a server-side cursor on
PostgreSQL), so a million-account register never sits in memory.

Who holds a position, by register:

* T1, T2 (未合并融资融券信用账户): an account linked to a collateral account
  (``CollateralLink``: an investor's 信用证券账户, a broker's 担保证券明细账户) is shown as
  that collateral account, the registered holder.
* T3 (合并普通账户和融资融券信用账户): each account stands for itself, so a credit
  account's shares go to its owner.

Merging (T2, T3): first by 一码通 (an account's ``YmtAccount``), then by 证件类别 + 证件号码
+ 持有人名称. A 一码通 belongs to one investor and an investor is one (证件类别, 证件号码)
with one name, so both steps together are one GROUP BY over the investor's three
elements; the two investors a 一码通 could join are never merged unless all three match.
"""
from sqlalchemy import and_, case, func, or_, select

from models import (
    CollateralLink,
    CustodianUnit,
    Freeze,
    HolderProfile,
    HoldingChange,
    Investor,
    SecuritiesAccount,
    YmtAccount,
)
from models.registry import INDIVIDUAL
from wechat_hall.extensions import db

# xx of the file name: 证券类别和流通类型 (seed 002). 01 + 02 + 05 = 03, a partition.
CLASSES = {"01": "无限售流通股", "02": "非流通股", "03": "全部股本类型", "05": "限售流通股"}
RESTRICTED_LTLX = ("A", "B", "C", "F")  # 首发后, 股权激励, 首发前限售股, 高管锁定股
NON_TRADABLE_LTLX = "D"
STREAM_ROWS = 10_000


def class_filter(xx):
    """The ledger rows of one share class scope (None for 03, every row)."""
    ltlx, zqlb = HoldingChange.ltlx, HoldingChange.zqlb
    if xx == "02":
        return ltlx == NON_TRADABLE_LTLX
    if xx == "05":
        return and_(ltlx != NON_TRADABLE_LTLX, or_(zqlb == "XL", ltlx.in_(RESTRICTED_LTLX)))
    if xx == "01":
        return and_(ltlx.notin_((NON_TRADABLE_LTLX,) + RESTRICTED_LTLX), zqlb != "XL")
    return None


def _where(security_id, day, xx):
    conditions = [HoldingChange.security_id == security_id, HoldingChange.trade_date <= day]
    scope = class_filter(xx)
    if scope is not None:
        conditions.append(scope)
    return conditions


def total_shares(security_id, day, xx="03"):
    """The security's shares (of the scope) on the ledger at the end of ``day``."""
    total = db.session.execute(select(func.coalesce(func.sum(HoldingChange.quantity), 0))
                               .where(*_where(security_id, day, xx))).scalar_one()
    return int(total)


def _holder_of(account_column, merge_credit):
    """The account that holds, as the register shows it (see the module's docstring)."""
    if merge_credit:
        return account_column
    return func.coalesce(CollateralLink.collateral_account_id, account_column)


HOLDER_COLUMNS = (Investor.name, Investor.id_type, Investor.id_number, Investor.holder_type,
                  HolderProfile.category, HolderProfile.address, HolderProfile.postcode,
                  HolderProfile.phone)


def holder_category(row):
    """持有人类别 of a row with HOLDER_COLUMNS: the profile's, else 1000/2000 (未标识)."""
    if row.category:
        return row.category
    return "1000" if row.holder_type == INDIVIDUAL else "2000"


def t1_rows(security_id, day, xx="03"):
    """T1: every registered position (account × custodian unit × share class), unmerged,
    ordered by account. Yields rows with ``account``, ``ymt``, the HOLDER_COLUMNS, the
    share class, ``unit`` and ``quantity``."""
    holder = _holder_of(HoldingChange.account_id, False).label("holder_id")
    quantity = func.sum(HoldingChange.quantity)
    share_class = (HoldingChange.zqlb, HoldingChange.ltlx, HoldingChange.qylb,
                   HoldingChange.gpnf, HoldingChange.qycs)
    positions = (
        select(holder, HoldingChange.unit_id, *share_class, quantity.label("quantity"))
        .select_from(HoldingChange)
        .outerjoin(CollateralLink, CollateralLink.account_id == HoldingChange.account_id)
        .where(*_where(security_id, day, xx))
        .group_by(holder, HoldingChange.unit_id, *share_class)
        .having(quantity != 0)).subquery()
    query = (
        select(SecuritiesAccount.number.label("account"), YmtAccount.number.label("ymt"),
               *HOLDER_COLUMNS, positions.c.zqlb, positions.c.ltlx, positions.c.qylb,
               positions.c.gpnf, positions.c.qycs, CustodianUnit.code.label("unit"),
               positions.c.quantity)
        .select_from(positions)
        .join(SecuritiesAccount, SecuritiesAccount.id == positions.c.holder_id)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .join(Investor, Investor.id == YmtAccount.investor_id)
        .outerjoin(HolderProfile, HolderProfile.investor_id == Investor.id)
        .join(CustodianUnit, CustodianUnit.id == positions.c.unit_id)
        .order_by(SecuritiesAccount.number, CustodianUnit.code, positions.c.zqlb,
                  positions.c.ltlx, positions.c.qylb, positions.c.gpnf, positions.c.qycs))
    yield from _stream(query)


def _stream(query):
    """Rows through the session's connection (Core rows, no ORM loading), fetched
    ``STREAM_ROWS`` at a time from a server-side cursor where the database has one.

    PostgreSQL plans a cursor for its first 10 % of rows (``cursor_tuple_fraction``),
    which picks nested loops over a million positions; every row is read, so the
    transaction asks for the plan of the whole result instead."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    yield from connection.execute(query.execution_options(yield_per=STREAM_ROWS))


def merged_rows(security_id, day, xx="03", merge_credit=False, top=None, min_quantity=None):
    """T2 (``merge_credit=False``) or T3: one row per holder, largest first (ties by 证件
    类别, 证件号码, 名称), with ``investor_id``, the first 一码通 and account, the number of
    accounts, ``quantity`` and, for T3, ``credit`` (held in credit accounts)."""
    holder = _holder_of(HoldingChange.account_id, merge_credit).label("holder_id")
    quantity = func.sum(HoldingChange.quantity)
    is_credit = case((CollateralLink.id.is_(None), 0), else_=1)
    per_account = (
        select(holder, quantity.label("quantity"), func.max(is_credit).label("credit"))
        .select_from(HoldingChange)
        .outerjoin(CollateralLink, CollateralLink.account_id == HoldingChange.account_id)
        .where(*_where(security_id, day, xx))
        .group_by(holder).having(quantity != 0)).subquery()
    total = func.sum(per_account.c.quantity)
    credit = func.sum(case((per_account.c.credit == 1, per_account.c.quantity), else_=0))
    query = (
        select(Investor.id.label("investor_id"), *HOLDER_COLUMNS,
               func.min(YmtAccount.number).label("ymt"),
               func.min(SecuritiesAccount.number).label("account"),
               func.count().label("accounts"), total.label("quantity"),
               credit.label("credit"))
        .select_from(per_account)
        .join(SecuritiesAccount, SecuritiesAccount.id == per_account.c.holder_id)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .join(Investor, Investor.id == YmtAccount.investor_id)
        .outerjoin(HolderProfile, HolderProfile.investor_id == Investor.id)
        .group_by(Investor.id, *HOLDER_COLUMNS)
        .order_by(total.desc(), Investor.id_type, Investor.id_number, Investor.name))
    if min_quantity is not None:
        query = query.having(total >= min_quantity)
    if top is not None:
        query = query.limit(top)
    yield from _stream(query)


def merged_freezes(security_id, day, merge_credit=False):
    """{investor id: (frozen, pledged)} in effect at the end of ``day``, given to the
    holders the way ``merged_rows`` gives the shares."""
    holder = _holder_of(Freeze.account_id, merge_credit)
    pledged = case((Freeze.kind == "pledge", Freeze.quantity), else_=0)
    frozen = case((Freeze.kind == "pledge", 0), else_=Freeze.quantity)
    rows = db.session.execute(
        select(YmtAccount.investor_id, func.sum(frozen), func.sum(pledged))
        .select_from(Freeze)
        .outerjoin(CollateralLink, CollateralLink.account_id == Freeze.account_id)
        .join(SecuritiesAccount, SecuritiesAccount.id == holder)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .where(Freeze.security_id == security_id, Freeze.start_date <= day,
               or_(Freeze.end_date.is_(None), Freeze.end_date >= day),
               or_(Freeze.released_on.is_(None), Freeze.released_on > day))
        .group_by(YmtAccount.investor_id))
    return {investor: (int(f or 0), int(p or 0)) for investor, f, p in rows}


def account_balances(security_id, day, account_ids):
    """{account id: holding} of some accounts at the end of ``day`` (every share class)."""
    if not account_ids:
        return {}
    quantity = func.sum(HoldingChange.quantity)
    rows = db.session.execute(
        select(HoldingChange.account_id, quantity)
        .where(HoldingChange.security_id == security_id, HoldingChange.trade_date <= day,
               HoldingChange.account_id.in_(list(account_ids)))
        .group_by(HoldingChange.account_id).having(quantity != 0))
    return {account: int(q) for account, q in rows}
