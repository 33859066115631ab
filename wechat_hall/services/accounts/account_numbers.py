"""Account numbers (ACC-8 step 1, V-7): 证券账户 and 一码通账户, checked before any lookup.

- 证券账户: 沪市 a letter and 9 digits (A123456789), 深市 10 digits (0123456789).
- 一码通账户: 12 digits.

A refused number raises :class:`AccountNumberError` (an id_numbers.RegistryNumberError)
with the reason in Chinese.
"""
import re

from models.registry import SH, SH_ACCOUNT_RE, SZ, SZ_ACCOUNT_RE

from .id_numbers import EMPTY, FORMAT, RegistryNumberError, normalize_id_number


class AccountNumberError(RegistryNumberError):
    pass


ACCOUNT_HINT = "证券账户格式不正确：沪市证券账户为1位字母加9位数字，深市证券账户为10位数字"


def securities_account_market(number):
    """``SH`` for a letter and 9 digits (A123456789), ``SZ`` for 10 digits
    (0123456789), ``None`` otherwise.

    The number tells only its numbering scheme: 北交所 (BJ) trading uses 10-digit
    accounts of the 深市 scheme, so the market stored on the account is authoritative.
    """
    number = normalize_id_number(number)
    if SH_ACCOUNT_RE.fullmatch(number):
        return SH
    if SZ_ACCOUNT_RE.fullmatch(number):
        return SZ
    return None


def validate_securities_account(raw):
    """The normalised account number, or :class:`AccountNumberError`."""
    number = normalize_id_number(raw)
    if not number:
        raise AccountNumberError(EMPTY, "请输入证券账户")
    if securities_account_market(number) is None:
        raise AccountNumberError(FORMAT, ACCOUNT_HINT)
    return number


def validate_ymt_number(raw):
    """一码通账户 numbers are 12 digits."""
    number = normalize_id_number(raw)
    if not number:
        raise AccountNumberError(EMPTY, "请输入一码通账户号码")
    if not re.fullmatch(r"\d{12}", number):
        raise AccountNumberError(FORMAT, "一码通账户号码应为12位数字")
    return number
