"""Staff sign-in rules: hashed passwords, lockout after repeated failures."""
import re


class PasswordRejected(ValueError):
    pass


def check_password_rules(password):
    """8–16 characters with at least two of letters, digits and symbols (as ACC-1)."""
    if not 8 <= len(password or "") <= 16:
        raise PasswordRejected("密码长度须为8-16位")
    kinds = sum(bool(re.search(p, password)) for p in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]"))
    if kinds < 2:
        raise PasswordRejected("密码须包含字母、数字、符号中的至少两种")
