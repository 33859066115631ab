"""Identity checks that wait (ACC-8 c, d): 交易报盘 and 临柜 leave a ``pending`` check.

(c) The user buys ``TRADE_SECURITY_CODE`` at ``TRADE_PRICE`` with a quantity chosen here,
within 15 natural days; the trade feed (:mod:`trade_feed`) matches the order and passes
the check. (d) The chosen branch's counter staff see the holder's document and confirm
or reject. A check not decided in time lapses (:func:`expire_overdue`, hourly).
"""
import logging
import secrets
from datetime import timedelta

from flask import current_app

from models import BrokerBranch, IdentityVerification
from models.accounts import CANCELLED, COUNTER, EXPIRED, PENDING, REJECTED, TRADE_ORDER, VERIFIED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone

from . import id_numbers
from .hall_users import AccountError
from .identity_checks import CheckRefused, apply, linked_account, method_allowed, new_check, tell_user

log = logging.getLogger(__name__)
TRADE_SECURITY_CODE = "799991"
TRADE_PRICE = "6.00"
COUNTER_DAYS = 30  # a counter check not decided within this many days lapses


def trade_window(created_at):
    """First and last trading date that count, and when the check lapses (UTC).

    15 natural days (TRADE_CHECK_DAYS) counted from the day the check was started,
    in Asia/Shanghai: started on 11-22, orders of 11-22 … 12-06 count."""
    days = current_app.config.get("TRADE_CHECK_DAYS", 15)
    first = clock.to_local(created_at).date()
    last = first + timedelta(days=days - 1)
    return first, last, clock.day_start(last + timedelta(days=1))


def _free_quantity(account):
    taken = set(db.session.execute(db.select(IdentityVerification.trade_quantity).filter_by(
        securities_account_id=account.id, method=TRADE_ORDER, status=PENDING)).scalars())
    choices = [q for q in range(1, 100) if q not in taken]
    if not choices:
        raise CheckRefused("该证券账户待完成的交易报盘认证过多，请稍后再试")
    return secrets.choice(choices)


def start_trade_order(user, ymt, purpose, raw_account, new_phone=None):
    """(c): a pending check with the quantity the user must buy."""
    method_allowed(ymt, purpose, TRADE_ORDER)
    account = linked_account(ymt, raw_account)
    now = clock.utcnow()
    _first, _last, expires = trade_window(now)
    row = new_check(user, ymt, purpose, TRADE_ORDER, status=PENDING, securities_account_id=account.id,
               trade_quantity=_free_quantity(account), expires_at=expires, new_phone=new_phone)
    db.session.commit()
    log.info("trade-order check %s started for %s", row.public_id, mask_phone(user.phone))
    return row


def counter_branches():
    """Branches that take 临柜身份认证, grouped by broker (for the two selects)."""
    return db.session.execute(
        db.select(BrokerBranch).filter_by(active=True, counter_verification=True)
        .order_by(BrokerBranch.broker_id, BrokerBranch.code)).scalars().all()


def start_counter(user, ymt, purpose, raw_account, branch_id, new_phone=None):
    """(d): a pending check the chosen branch's counter staff decide."""
    method_allowed(ymt, purpose, COUNTER)
    account = linked_account(ymt, raw_account)
    try:
        branch = db.session.get(BrokerBranch, int(branch_id or 0))
    except (TypeError, ValueError):
        branch = None
    if branch is None or not branch.active or not branch.broker.active:
        raise CheckRefused("请选择证券公司和营业部", "branch")
    if not branch.counter_verification:
        raise CheckRefused("该营业部暂不受理临柜身份认证，请选择其他营业部", "branch")
    row = new_check(user, ymt, purpose, COUNTER, status=PENDING, securities_account_id=account.id,
               broker_branch_id=branch.id, new_phone=new_phone,
               expires_at=clock.utcnow() + timedelta(days=COUNTER_DAYS))
    db.session.commit()
    log.info("counter check %s started for %s at %s", row.public_id, mask_phone(user.phone),
             branch.name)
    return row


def pending_of(user, purpose):
    return db.session.execute(db.select(IdentityVerification).filter_by(
        user_id=user.id, purpose=purpose, status=PENDING)
        .order_by(IdentityVerification.id.desc())).scalars().first()


def owned(user, public_id):
    """The user's own check by its public id (someone else's is as good as unknown)."""
    row = db.session.execute(db.select(IdentityVerification).filter_by(
        public_id=str(public_id or ""))).scalar_one_or_none()
    if row is None or user is None or row.user_id != user.id:
        return None
    return row


def cancel(user, public_id):
    row = owned(user, public_id)
    if row is None or row.status != PENDING:
        raise CheckRefused("没有可撤销的认证申请")
    row.status, row.decided_at = CANCELLED, clock.utcnow()
    db.session.commit()


def pass_pending(row, *, staff=None, order=None):
    """A pending check passed (trade feed or counter): record it, apply, tell the user.

    If the effect is no longer possible (the new phone got taken meanwhile, the 一码通
    was activated by another way …) the check stays passed with the reason noted."""
    now = clock.utcnow()

    def mark():
        row.status, row.decided_at = VERIFIED, now
        if staff is not None:
            row.decided_by_id = staff.id
        if order is not None:
            row.matched_order_id, order.matched_at = order.id, now

    mark()
    try:
        apply(row, notify=True)
    except AccountError as exc:
        db.session.rollback()
        mark()
        row.reason = str(exc)[:200]
        tell_user(row.user, f"您的{row.method_label}已通过，但{row.purpose_label}未能完成：{exc}")
        db.session.commit()
    return row


def _counter_row(staff, public_id):
    row = db.session.execute(db.select(IdentityVerification).filter_by(
        public_id=str(public_id or ""), method=COUNTER)).scalar_one_or_none()
    if row is None or (staff.broker_branch_id and row.broker_branch_id != staff.broker_branch_id):
        raise CheckRefused("未找到该临柜认证申请")
    if row.status != PENDING:
        raise CheckRefused(f"该申请已{row.status_label}，无需再次处理")
    return row


def confirm_at_counter(staff, public_id, id_number_seen):
    """The counter saw the holder's document: the number typed must match the register."""
    row = _counter_row(staff, public_id)
    seen = id_numbers.normalize_id_number(id_number_seen)
    if not seen:
        raise CheckRefused("请输入投资者出示证件上的证件号码", "id_number")
    if seen != row.ymt_account.investor.id_number:
        raise CheckRefused("证件号码与申请人登记的证件不一致，请核对投资者证件", "id_number")
    log.info("counter check %s confirmed by %s", row.public_id, staff.username)
    return pass_pending(row, staff=staff)


def reject_at_counter(staff, public_id, reason):
    row = _counter_row(staff, public_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise CheckRefused("请填写不通过的原因", "reason")
    if len(reason) > 200:
        raise CheckRefused("原因不能超过200字", "reason")
    row.status, row.decided_at, row.decided_by_id, row.reason = REJECTED, clock.utcnow(), staff.id, reason
    tell_user(row.user, f"您在{row.branch.name}提交的临柜身份认证未通过：{reason}。"
                      "您可重新选择其他认证方式。")
    db.session.commit()
    log.info("counter check %s rejected by %s", row.public_id, staff.username)
    return row


def expire_overdue(now=None):
    """Pending checks past their time lapse (the trade feed may still match an order
    placed within the window: see trade_feed.match)."""
    now = now or clock.utcnow()
    rows = db.session.execute(db.select(IdentityVerification).filter(
        IdentityVerification.status == PENDING, IdentityVerification.expires_at <= now)).scalars().all()
    for row in rows:
        row.status, row.decided_at = EXPIRED, now
        tell_user(row.user, f"您的{row.method_label}（{row.purpose_label}）已过期，"
                          "请重新选择认证方式。")
    db.session.commit()
    return len(rows)


def pending_for_counter(staff, limit=200):
    query = db.select(IdentityVerification).filter_by(method=COUNTER, status=PENDING)
    if staff.broker_branch_id:
        query = query.filter_by(broker_branch_id=staff.broker_branch_id)
    return db.session.execute(query.order_by(IdentityVerification.created_at)
                              .limit(limit)).scalars().all()


def decided_for_counter(staff, limit=50):
    query = db.select(IdentityVerification).filter(
        IdentityVerification.method == COUNTER,
        IdentityVerification.status.in_([VERIFIED, REJECTED]))
    if staff.broker_branch_id:
        query = query.filter_by(broker_branch_id=staff.broker_branch_id)
    return db.session.execute(query.order_by(IdentityVerification.decided_at.desc())
                              .limit(limit)).scalars().all()
