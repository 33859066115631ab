"""ISS-4 前端自助查询 (answered at once, data as of the last trading day before today):
股东户数, 证券质押/司法冻结情况, 股本结构, 非流通股非交易过户 — each of one of the issuer's
own securities, from the same ledger as the registers. 费用变动 is ``fees``, 董监高持股
``insiders``; 股权激励 needs data the hall does not hold (docs/ISSUERS.md)."""
from datetime import timedelta

from sqlalchemy import or_, select

from models import Freeze, HoldingChange, Investor, SecuritiesAccount, YmtAccount
from models.securities import FREEZE_KINDS
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.queries import trading_days

from . import ledger
from .registers import ratio

TRANSFER_DAYS = 365


def as_of():
    """Yesterday's data: the last trading day before today."""
    return trading_days.previous_trading_day(clock.today(), inclusive=False)


def holder_count(security, day):
    """股东户数: accounts with shares (T1 rows merged per account) and holders (T3)."""
    accounts = len({row.account for row in ledger.t1_rows(security.id, day)})
    holders = sum(1 for _ in ledger.merged_rows(security.id, day, "03", merge_credit=True))
    return {"accounts": accounts, "holders": holders}


def freezes(security, day):
    """证券质押/司法冻结情况 in effect at the end of ``day``."""
    rows = db.session.execute(
        select(Freeze, SecuritiesAccount.number, Investor.name)
        .join(SecuritiesAccount, SecuritiesAccount.id == Freeze.account_id)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .join(Investor, Investor.id == YmtAccount.investor_id)
        .where(Freeze.security_id == security.id, Freeze.start_date <= day,
               or_(Freeze.end_date.is_(None), Freeze.end_date >= day),
               or_(Freeze.released_on.is_(None), Freeze.released_on > day))
        .order_by(Freeze.start_date, Freeze.id)).all()
    return [{"kind": FREEZE_KINDS.get(f.kind, f.kind), "account": number, "name": name,
             "quantity": f.quantity, "start": f.start_date, "end": f.end_date,
             "authority": f.authority, "document": f.document} for f, number, name in rows]


def share_structure(security, day):
    """股本结构: shares of each class and their share of the total."""
    total = ledger.total_shares(security.id, day)
    rows = [(xx, ledger.CLASSES[xx], ledger.total_shares(security.id, day, xx))
            for xx in ("01", "05", "02")]
    return {"total": total, "rows": [(xx, label, q, ratio(q, total)) for xx, label, q in rows]}


def non_trade_transfers(security, day):
    """非流通股非交易过户 of the year up to ``day``."""
    rows = db.session.execute(
        select(HoldingChange.trade_date, HoldingChange.kind, HoldingChange.quantity,
               SecuritiesAccount.number, Investor.name)
        .join(SecuritiesAccount, SecuritiesAccount.id == HoldingChange.account_id)
        .join(YmtAccount, YmtAccount.id == SecuritiesAccount.ymt_account_id)
        .join(Investor, Investor.id == YmtAccount.investor_id)
        .where(HoldingChange.security_id == security.id,
               HoldingChange.ltlx == ledger.NON_TRADABLE_LTLX,
               HoldingChange.kind.in_(("non_trade_in", "non_trade_out")),
               HoldingChange.trade_date <= day,
               HoldingChange.trade_date > day - timedelta(days=TRANSFER_DAYS))
        .order_by(HoldingChange.trade_date.desc(), HoldingChange.id)).all()
    return [{"day": d, "kind": "转入" if k == "non_trade_in" else "转出", "quantity": q,
             "account": number, "name": name} for d, k, q, number, name in rows]
