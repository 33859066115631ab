"""ISS-3 for the issuer: 手机号码维护, 手机短信订阅 and the next morning's SMS.

A phone is kept only after its SMS code is entered (the hall's code service, purpose
``issuer_phone``). A subscription is a phone, the message type 持股5%以上股东每日持股变化
情况 and the 业务关键字 — the issuer's own 证券代码. The morning after a trading day whose
5 % run (``major_holders``) found changes, every subscribed phone gets the seed's text,
once per subscription and day (``AlertDelivery``).
"""
import logging
from datetime import time

from sqlalchemy.exc import IntegrityError

from models import AlertDelivery, AlertPhone, AlertSubscription, MajorHolderRun
from models.issuer_portal import MAJOR_HOLDERS, MESSAGE_TYPES
from wechat_hall import adapters, clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import sms_codes
from wechat_hall.services.queries import trading_days

from . import contacts

log = logging.getLogger(__name__)
MORNING = time(8, 30)
TEXT = (f"{sms_codes.SIGNATURE}贵公司持股5%以上股东股份发生变化，请登录中国结算发行人服务平台"
        "（持股5%以上股东每日持股变化名单、明细）查阅。")


class AlertRefused(ValueError):
    pass


def _text(value, limit, what, required=True):
    value = (value or "").strip()
    if "\x00" in value or any(ord(c) < 32 for c in value):
        raise AlertRefused(f"{what}含有非法字符")
    if required and not value:
        raise AlertRefused(f"请填写{what}")
    if len(value) > limit:
        raise AlertRefused(f"{what}不能超过{limit}个字")
    return value


def send_code(phone, ip, requester):
    """The verification code for a phone to be maintained (sms_codes' rules)."""
    try:
        return sms_codes.request_code(phone, sms_codes.ISSUER_PHONE, ip, requester)
    except sms_codes.CodeRefused as exc:
        raise AlertRefused(str(exc)) from None


def add_phone(issuer_id, phone, name, title, code):
    """手机号码新增: phone, 用户姓名, 用户职务 and the code sent to it. Committed."""
    name = _text(name, 40, "用户姓名")
    title = _text(title, 40, "用户职务")
    try:
        phone = sms_codes.verify_code(phone, sms_codes.ISSUER_PHONE, code)
    except sms_codes.CodeRefused as exc:
        raise AlertRefused(str(exc)) from None
    row = db.session.execute(db.select(AlertPhone).filter_by(
        issuer_id=issuer_id, phone=phone)).scalar_one_or_none()
    if row is None:
        row = AlertPhone(issuer_id=issuer_id, phone=phone, name=name, title=title)
        db.session.add(row)
    else:
        row.name, row.title, row.verified_at = name, title, clock.utcnow()
    db.session.commit()
    return row


def phones_of(issuer_id):
    return db.session.execute(db.select(AlertPhone).filter_by(issuer_id=issuer_id)
                              .order_by(AlertPhone.id)).scalars().all()


def remove_phone(issuer_id, phone_id):
    row = contacts.owned_or_404(AlertPhone, phone_id, issuer_id)
    db.session.execute(db.delete(AlertSubscription).where(AlertSubscription.phone_id == row.id))
    db.session.delete(row)
    db.session.commit()


def subscribe(issuer_id, phone_id, message_type, keyword):
    """手机短信订阅 (committed); the keyword must be one of the issuer's codes."""
    phone = contacts.owned_or_404(AlertPhone, phone_id, issuer_id)
    if message_type not in MESSAGE_TYPES:
        raise AlertRefused("请选择可订阅的短信类型")
    keyword = _text(keyword, 6, "业务关键字（证券代码）")
    security = contacts.own_security(issuer_id, keyword)
    if security is None:
        raise AlertRefused(f"业务关键字“{keyword}”应为贵公司的证券代码")
    exists = db.session.execute(db.select(AlertSubscription).filter_by(
        phone_id=phone.id, message_type=message_type, security_id=security.id)).first()
    if exists:
        raise AlertRefused("该手机号码已订阅此短信")
    row = AlertSubscription(issuer_id=issuer_id, phone_id=phone.id, message_type=message_type,
                            security_id=security.id)
    db.session.add(row)
    db.session.commit()
    return row


def subscriptions_of(issuer_id):
    return db.session.execute(db.select(AlertSubscription).filter_by(issuer_id=issuer_id)
                              .order_by(AlertSubscription.id)).scalars().all()


def unsubscribe(issuer_id, subscription_id):
    db.session.delete(contacts.owned_or_404(AlertSubscription, subscription_id, issuer_id))
    db.session.commit()


def send_due(now=None):
    """The SMS of the latest trading day before today, from 08:30 (Shanghai). Returns the
    number sent."""
    now = now or clock.local_now()
    if now.time().replace(tzinfo=None) < MORNING:
        return 0
    day = trading_days.previous_trading_day(now.date(), inclusive=False)
    runs = db.session.execute(db.select(MajorHolderRun).where(
        MajorHolderRun.day == day, MajorHolderRun.changes > 0)).scalars().all()
    sent = 0
    for run in runs:
        subs = db.session.execute(db.select(AlertSubscription).filter_by(
            security_id=run.security_id, message_type=MAJOR_HOLDERS)).scalars().all()
        for sub in subs:
            phone = sub.phone.phone
            claim = AlertDelivery(subscription_id=sub.id, day=day)
            try:
                db.session.add(claim)
                db.session.commit()  # claimed: a second scheduler sends nothing
            except IntegrityError:
                db.session.rollback()
                continue
            try:
                adapters.sms().send(phone, TEXT)
                db.session.commit()  # the development inbox keeps its row
                sent += 1
            except Exception:  # noqa: BLE001 — one phone failing must not stop the others
                log.exception("5%% alert to %s not sent; tried again next run",
                              mask_phone(phone))
                db.session.rollback()
                db.session.delete(db.session.merge(claim))
                db.session.commit()
    return sent


@periodic("issuers.major_holder_sms", 600)
def morning_sms():
    send_due()
