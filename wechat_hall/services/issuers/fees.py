"""ISS-6: the query-fee account of each issuer (年度查询服务费 A 股 6,000 元, B 股 6,000 元).

Amounts are fen (integers). Every change is a ``FeeEntry`` with the balance after it,
written under a row lock of the account, so the balance is always the sum of the
entries. While the balance is below zero the issuer cannot apply (seed 002, 注意事项 2).
"""
from decimal import Decimal, InvalidOperation

from models import FeeAccount, FeeEntry
from models.issuer_portal import ANNUAL_FEE, DEDUCTION, FEE_KINDS, PAYMENT
from models.securities import B_STOCK
from wechat_hall.extensions import db

ANNUAL_FEES = {"A": 600_000, "B": 600_000}  # fen per year: A 股, B 股
MAX_AMOUNT = 100_000_000  # fen: one entry of at most 1,000,000 元


class FeeRefused(ValueError):
    pass


def yuan(fen):
    return f"{Decimal(fen) / 100:,.2f}"


def parse_yuan(text):
    """Fen from a typed amount in 元 (positive, two decimals at most)."""
    try:
        value = Decimal(str(text or "").strip().replace(",", ""))
    except InvalidOperation:
        raise FeeRefused("金额应为数字，单位元，最多两位小数") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise FeeRefused("金额应大于0，单位元，最多两位小数")
    fen = int(value * 100)
    if fen > MAX_AMOUNT:
        raise FeeRefused("单笔金额不能超过 1,000,000 元")
    return fen


def account_of(issuer_id, lock=False):
    query = db.select(FeeAccount).filter_by(issuer_id=issuer_id)
    if lock:
        query = query.with_for_update()
    account = db.session.execute(query).scalar_one_or_none()
    if account is None:
        account = FeeAccount(issuer_id=issuer_id, balance=0)
        db.session.add(account)
        db.session.flush()
    return account


def record(issuer_id, kind, amount, note="", ref=None, staff=None):
    """Add an entry (``amount`` in fen, positive; deductions and fees are taken off).
    Returns it, or the existing one with the same ``ref``. The caller commits."""
    if kind not in FEE_KINDS:
        raise FeeRefused("未知的费用类型")
    if ref is not None:
        done = db.session.execute(db.select(FeeEntry).filter_by(ref=ref)).scalar_one_or_none()
        if done is not None:
            return done
    account = account_of(issuer_id, lock=True)
    signed = -amount if kind in (ANNUAL_FEE, DEDUCTION) else amount
    account.balance += signed
    entry = FeeEntry(account_id=account.id, kind=kind, amount=signed,
                     balance_after=account.balance, note=(note or "")[:200], ref=ref,
                     staff_id=getattr(staff, "id", None))
    db.session.add(entry)
    db.session.flush()
    return entry


def charge_annual_fees(issuer_id, securities, year):
    """The year's fee for each share kind the issuer has (once per year and kind)."""
    kinds = sorted({"B" if s.kind == B_STOCK else "A" for s in securities})
    return [record(issuer_id, ANNUAL_FEE, ANNUAL_FEES[k], f"{year}年度{k}股查询服务费",
                   ref=f"annual:{issuer_id}:{year}:{k}") for k in kinds]


def pay(issuer_id, text, note, staff=None):
    return record(issuer_id, PAYMENT, parse_yuan(text), note or "查询费入账", staff=staff)


def entries(issuer_id, limit=200):
    account = account_of(issuer_id)
    return account, db.session.execute(
        db.select(FeeEntry).filter_by(account_id=account.id)
        .order_by(FeeEntry.at.desc(), FeeEntry.id.desc()).limit(limit)).scalars().all()


def refusal(issuer_id):
    """Why the issuer may not apply now (balance below zero), or None."""
    account = account_of(issuer_id)
    if account.balance < 0:
        return (f"查询费余额不足（当前余额 {yuan(account.balance)} 元），余额大于等于0后方可"
                "发起查询申请。请汇款并注明“证券代码+查询费”。")
    return None
