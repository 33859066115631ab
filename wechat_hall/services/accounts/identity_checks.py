"""Identity checks against a 一码通 (ACC-8 a–d) and what passing one does.

Step 1 finds the 一码通 of an ID (:func:`lookup_ymt`); step 2 runs one method:

- (a) reserved phone and (b) bank card are decided within the request
  (:func:`record_passed` after the caller verified the SMS code / card);
- (c) trade order and (d) counter leave a ``pending`` check that the trade feed or a
  counter decides later: :mod:`pending_checks`.

A passed check is *applied* (:func:`apply`): 激活一码通 binds the 一码通 to the user,
变更手机号 sets the new phone, 用户注销 deletes the account; 找回密码 lets the user set a
new password (the recovery pages look for the passed check). Starting a new check for a
purpose cancels the user's earlier pending one: 重新选择其他验证方式 never leaves two.
"""
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from models import HallUser, IdentityVerification, Investor, SecuritiesAccount, YmtAccount
from models.accounts import (
    ACTIVATE,
    BANKCARD,
    CANCELLED,
    CHANGE_PHONE,
    COUNTER,
    DEREGISTER,
    PENDING,
    RECOVER,
    RESERVED_PHONE,
    TRADE_ORDER,
    VERIFIED,
)
from models.registry import INDIVIDUAL, NORMAL
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_phone
from wechat_hall.services.wechat.messages import queue_text

from . import account_numbers, hall_users, id_numbers
from .hall_users import AccountError

log = logging.getLogger(__name__)


class CheckRefused(AccountError):
    """A refused identity step; ``str`` is the message, ``field`` the form field."""


@dataclass(frozen=True)
class Method:
    key: str
    title: str
    description: str
    recommended: bool = False
    unavailable: str = ""  # why the method cannot be used for this 一码通, if it cannot


METHOD_TEXT = {
    RESERVED_PHONE: ("通过手机号认证", "请通过获取手机验证码完成认证"),
    BANKCARD: ("通过银联身份认证", "请通过输入银行卡号并获取银行预留手机号验证码完成认证"),
    TRADE_ORDER: ("通过交易报盘身份认证", "请通过交易报盘方式完成认证"),
    COUNTER: ("通过临柜身份认证", "请按照后续提示前往身份认证机构临柜完成认证"),
}
# Which methods each purpose offers (the seed: 用户注销 has no counter check).
PURPOSE_METHODS = {
    ACTIVATE: (RESERVED_PHONE, BANKCARD, TRADE_ORDER, COUNTER),
    CHANGE_PHONE: (RESERVED_PHONE, BANKCARD, TRADE_ORDER, COUNTER),
    RECOVER: (RESERVED_PHONE, BANKCARD, TRADE_ORDER, COUNTER),
    DEREGISTER: (RESERVED_PHONE, BANKCARD, TRADE_ORDER),
}


# -- step 1 ---------------------------------------------------------------------------

def lookup_ymt(holder_type, id_type, raw_number, wechat=False):
    """The usable 一码通 accounts of an ID (oldest first), or CheckRefused."""
    if holder_type not in (INDIVIDUAL, "institution"):
        raise CheckRefused("请选择用户类型", "holder_type")
    if wechat and holder_type != INDIVIDUAL:
        raise CheckRefused("微信营业厅仅支持个人用户绑定，机构用户请使用网上营业厅", "holder_type")
    try:
        number = id_numbers.validate_id_number(id_type, raw_number, holder_type)
    except id_numbers.IdNumberError as exc:
        field = "id_type" if exc.code in (id_numbers.UNKNOWN_TYPE, id_numbers.HOLDER_TYPE) \
            else "id_number"
        raise CheckRefused(str(exc), field) from None
    investor = db.session.execute(db.select(Investor).filter_by(
        id_type=id_type, id_number=number)).scalar_one_or_none()
    if investor is None or investor.holder_type != holder_type:
        raise CheckRefused("未查询到该证件对应的一码通账户，请核对用户类型、证件类型和证件号码",
                           "id_number")
    usable = [y for y in investor.ymt_accounts if y.status == NORMAL]
    if not usable:
        raise CheckRefused("该证件名下的一码通账户均已注销，无法绑定", "id_number")
    return usable


def check_ymt_free(user, ymt):
    """Step 1 of 激活一码通: the user has none yet and nobody else holds this one."""
    if user.is_activated:
        raise CheckRefused("您已绑定并激活一码通，无需重复操作")
    owner = db.session.execute(db.select(HallUser.id).filter(
        HallUser.ymt_account_id == ymt.id, HallUser.id != user.id)).first()
    if owner:
        raise CheckRefused("该一码通账户已被其他在线用户绑定。如非本人操作，请联系客服。",
                           "id_number")


def ymt_of_user_identity(user, holder_type, id_type, raw_number):
    """找回密码 of an activated account: the ID typed must be the bound 一码通's holder."""
    usable = lookup_ymt(holder_type, id_type, raw_number)
    for ymt in usable:
        if ymt.id == user.ymt_account_id:
            return ymt
    raise CheckRefused("证件信息与该账户绑定的一码通不一致", "id_number")


def methods_for(ymt, purpose):
    investor = ymt.investor
    methods = []
    for key in PURPOSE_METHODS[purpose]:
        title, description = METHOD_TEXT[key]
        unavailable = ""
        if key == RESERVED_PHONE and not ymt.reserved_phone:
            unavailable = "该一码通开户时未预留手机号，请选择其他认证方式"
        if key == BANKCARD and investor.holder_type != INDIVIDUAL:
            unavailable = "银联身份认证仅适用于个人投资者"
        methods.append(Method(key, title, description, key == RESERVED_PHONE, unavailable))
    return methods


def method_allowed(ymt, purpose, key):
    for method in methods_for(ymt, purpose):
        if method.key == key:
            if method.unavailable:
                raise CheckRefused(method.unavailable)
            return method
    raise CheckRefused("该认证方式不适用于当前业务")


# -- step 2: the methods --------------------------------------------------------------

def _cancel_pending(user, purpose):
    for row in db.session.execute(db.select(IdentityVerification).filter_by(
            user_id=user.id, purpose=purpose, status=PENDING)).scalars():
        row.status, row.decided_at = CANCELLED, clock.utcnow()


def new_check(user, ymt, purpose, method, **fields):
    _cancel_pending(user, purpose)
    row = IdentityVerification(public_id=secrets.token_urlsafe(12), user=user,
                               purpose=purpose, method=method, ymt_account=ymt,
                               created_at=clock.utcnow(), **fields)
    db.session.add(row)
    return row


def record_passed(user, ymt, purpose, method, new_phone=None, card_fingerprint=None):
    """A check that passed within the request (a, b): recorded, then applied."""
    method_allowed(ymt, purpose, method)
    row = new_check(user, ymt, purpose, method, status=VERIFIED, decided_at=clock.utcnow(),
               new_phone=new_phone, card_fingerprint=card_fingerprint)
    try:
        return apply(row)
    except AccountError:
        db.session.rollback()  # nothing of the step stays written
        raise


def check_bank_card(ymt, card_number, bank_phone):
    """(b): the card, its holder (the 一码通's holder) and the bank-reserved phone belong
    together. Returns the card's fingerprint; never keeps the number."""
    from wechat_hall import adapters
    from wechat_hall.adapters.bankcard_check import fingerprint, luhn_ok
    card = "".join((card_number or "").split())
    if not card:
        raise CheckRefused("请输入银行卡号", "card_number")
    if not luhn_ok(card):
        raise CheckRefused("银行卡号有误，请核对后重新输入", "card_number")
    investor = ymt.investor
    try:
        result = adapters.bankcard().verify(investor.name, investor.id_number, card, bank_phone)
    except Exception:
        log.exception("bank card check failed")
        raise CheckRefused("银联认证服务暂时不可用，请稍后再试或选择其他认证方式") from None
    if not result.matched:
        raise CheckRefused(result.reason or "银行卡信息与持卡人身份信息不一致", "card_number")
    return fingerprint(card)


def linked_account(ymt, raw):
    """(c, d): ``raw`` must be one of the 一码通's securities accounts, in normal status."""
    try:
        number = account_numbers.validate_securities_account(raw)
    except account_numbers.AccountNumberError as exc:
        raise CheckRefused(str(exc), "account") from None
    account = db.session.execute(db.select(SecuritiesAccount).filter_by(
        number=number, ymt_account_id=ymt.id)).scalar_one_or_none()
    if account is None:
        raise CheckRefused("该证券账户不属于您的一码通账户，请输入任意一个关联的证券账户", "account")
    if account.status != NORMAL:
        raise CheckRefused(f"该证券账户状态为{account.status_label}，请使用其他关联的证券账户",
                           "account")
    return account


# -- applying a passed check ------------------------------------------------------------

def apply(row, notify=False):
    """Do what the passed check was for; commits. Raises AccountError if it cannot."""
    user = row.user
    if row.purpose == ACTIVATE:
        _activate(user, row.ymt_account)
        message = (f"您的一码通账户已通过{row.method_label}激活，"
                   "现在可以使用证券查询、电子凭证和网络投票等服务。")
    elif row.purpose == CHANGE_PHONE:
        hall_users.apply_phone_change(user, row.new_phone)
        message = f"您的登录手机号已变更为{mask_phone(user.phone)}，请使用新手机号登录。"
    elif row.purpose == DEREGISTER:
        openid = user.openid
        row.applied_at = clock.utcnow()
        db.session.flush()
        hall_users.deregister(user)
        if notify and openid:
            queue_text(openid, "您的中国结算在线用户已注销，微信绑定已解除。")
            db.session.commit()
        return row
    else:  # RECOVER: the recovery pages let the user set a new password now
        db.session.commit()
        if notify:
            tell_user(user, f"您的{row.method_label}已通过，请回到“找回密码”页面设置新密码。")
            db.session.commit()
        return row
    row.applied_at = clock.utcnow()
    if notify:
        tell_user(user, message)
    db.session.commit()
    return row


def _activate(user, ymt):
    db.session.execute(db.select(HallUser.id).filter_by(id=user.id).with_for_update())
    db.session.refresh(user)
    if user.is_activated:
        if user.ymt_account_id == ymt.id:
            return
        raise CheckRefused("您已绑定并激活一码通，无需重复操作")
    if ymt.status != NORMAL:
        raise CheckRefused("该一码通账户已注销，无法激活")
    user.ymt_account_id, user.activated_at = ymt.id, clock.utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise CheckRefused("该一码通账户已被其他在线用户绑定。如非本人操作，请联系客服。") from None
    log.info("hall user %s activated 一码通 of %s", mask_phone(user.phone),
             mask_id_number(ymt.investor.id_number))


def tell_user(user, text):
    if user is not None and user.openid:
        queue_text(user.openid, text)


def masked_ymt(number):
    """一码通 numbers on screen: 18****0024."""
    if not number or len(number) < 7:
        return number or ""
    return f"{number[:2]}****{number[-4:]}"


def get_ymt(ymt_id):
    return db.session.get(YmtAccount, ymt_id) if ymt_id else None
