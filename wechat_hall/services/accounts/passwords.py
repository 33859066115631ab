"""The password rule of ACC-1/4/7, shared by investors and staff: 8–16 characters with
at least two of letters, digits and symbols; printable ASCII only (what a phone keyboard
and the bank-style password fields of the seed accept)."""
import re


class PasswordRejected(ValueError):
    """``str(exc)`` is the message for the person."""


PASSWORD_HINT = "8~16位字符（字母、数字、符号应至少包括两种）"


def check_password_rules(password):
    password = password or ""
    if not 8 <= len(password) <= 16:
        raise PasswordRejected("密码长度须为8-16位")
    if not re.fullmatch(r"[\x21-\x7e]+", password):
        raise PasswordRejected("密码只能由字母、数字和英文符号组成，不能含空格或中文")
    kinds = sum(bool(re.search(p, password)) for p in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]"))
    if kinds < 2:
        raise PasswordRejected("密码须包含字母、数字、符号中的至少两种")


def check_new_password(password, confirm):
    check_password_rules(password)
    if password != (confirm or ""):
        raise PasswordRejected("两次输入的密码不一致")
