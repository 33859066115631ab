"""Check characters of the registry's numbers: the last character of a number, computed
from the others, so that a typo is caught before any lookup.

- GB 11643-1999 (居民身份证 and the numbers built like it): ISO 7064 MOD 11-2, 0-9 or X.
- GB 32100-2015 (统一社会信用代码): modulo 31 over its own 31-character alphabet.
- GB 11714-1997 (组织机构代码): modulo 11, 0-9 or X.

id_numbers.py checks numbers with them; the demo and the tests make valid numbers.
"""
GB11643_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def gb11643_check_char(first17):
    """ISO 7064 MOD 11-2 check character of an 18-character citizen number."""
    total = sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS))
    return "10X98765432"[total % 11]


def gb32100_check_char(first17):
    """Check character of a 统一社会信用代码 (modulo 31 over its own alphabet)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def gb11714_check_char(first8):
    """Check character of a 组织机构代码 (modulo 11; letters count A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))
