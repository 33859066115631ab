"""ID numbers (ACC-8 step 1, ACC-7, Q-8's ID re-check, APT-2).

Step 1 of 绑定及激活一码通 asks for 用户类型, 证件类型 and 证件号码. A number that cannot
exist is refused here, with a message that says what is wrong, before anything is looked
up: a typo then reads "校验位不正确" instead of "未找到一码通账户", and nobody can probe
the register with made-up numbers.

Rules:

- 居民身份证 (GB 11643-1999): 6-digit region code, birth date YYYYMMDD, 3-digit sequence,
  check character from ISO 7064 MOD 11-2 (0-9 or X). The 15-digit numbers of the first
  generation are no longer valid documents and are refused with their own message.
- 港澳台居民居住证: the same structure and check character, region 810000 (香港),
  820000 (澳门) or 830000 (台湾).
- 外国人永久居留身份证: the 2023 card has 18 characters, ``9`` + province + nationality
  + birth date + sequence + GB 11643 check; the 2004 card has 3 letters + 12 digits.
- 港澳居民来往内地通行证: H (香港) or M (澳门) + 8 digits, or + 10 digits where the
  issue count is written after the number.
- 台湾居民来往大陆通行证: 8 digits (cards since 2015).
- 护照: 5 to 17 letters and digits (Chinese and foreign passports alike).
- 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and A-Z without I O S V Z,
  check character modulo 31.
- 组织机构代码 (GB 11714-1997): 8 characters + check character modulo 11 (0-9 or X).

A number that fails its chosen type but is a well-formed number of another type gets
"证件类型与证件号码不匹配": the user picked the wrong type, not mistyped the number.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from models.registry import HOLDER_TYPES, INDIVIDUAL, INSTITUTION
from wechat_hall import clock

from .check_characters import (
    USCC_CHARS,
    gb11643_check_char,
    gb11714_check_char,
    gb32100_check_char,
)

__all__ = [
    "ID_TYPES", "IdType", "IdNumberError", "RegistryNumberError", "id_types_for",
    "id_type_label", "normalize_id_number", "validate_id_number", "birth_date_of",
]

# Error codes, for callers that react to the kind of mistake (tests, logs, forms).
EMPTY = "empty"
UNKNOWN_TYPE = "unknown_type"
HOLDER_TYPE = "holder_type"
FORMAT = "format"
CHECK_DIGIT = "check_digit"
BIRTH_DATE = "birth_date"
REGION = "region"
TYPE_MISMATCH = "type_mismatch"


class RegistryNumberError(ValueError):
    """A number refused before any lookup; ``message`` is shown beside the field."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class IdNumberError(RegistryNumberError):
    pass


@dataclass(frozen=True)
class IdType:
    code: str
    label: str
    holder_types: tuple
    hint: str  # the format message

    def __str__(self):
        return self.label


RESIDENT_ID = "resident_id"
HK_MACAO_PASS = "hk_macao_pass"
TAIWAN_PASS = "taiwan_pass"
HMT_RESIDENCE = "hmt_residence"
FOREIGN_PERMANENT = "foreign_permanent"
PASSPORT = "passport"
USCC = "uscc"
ORG_CODE = "org_code"

# In the order the 证件类型 select lists them.
ID_TYPES = {t.code: t for t in [
    IdType(RESIDENT_ID, "居民身份证", (INDIVIDUAL,),
           "居民身份证号码应为18位，前17位为数字，最后一位为数字或X"),
    IdType(HK_MACAO_PASS, "港澳居民来往内地通行证", (INDIVIDUAL,),
           "港澳居民来往内地通行证号码应为H或M加8位或10位数字"),
    IdType(TAIWAN_PASS, "台湾居民来往大陆通行证", (INDIVIDUAL,),
           "台湾居民来往大陆通行证号码应为8位数字"),
    IdType(HMT_RESIDENCE, "港澳台居民居住证", (INDIVIDUAL,),
           "港澳台居民居住证号码应为18位，以810000、820000或830000开头"),
    IdType(FOREIGN_PERMANENT, "外国人永久居留身份证", (INDIVIDUAL,),
           "外国人永久居留身份证号码应为以9开头的18位号码，或3位字母加12位数字"),
    IdType(PASSPORT, "护照", (INDIVIDUAL,), "护照号码应为5至17位字母或数字"),
    IdType(USCC, "营业执照（统一社会信用代码）", (INSTITUTION,),
           "统一社会信用代码应为18位数字或大写字母"),
    IdType(ORG_CODE, "组织机构代码证", (INSTITUTION,),
           "组织机构代码应为8位数字或字母加1位校验码"),
]}

MESSAGES = {
    EMPTY: "请输入证件号码",
    UNKNOWN_TYPE: "请选择证件类型",
    HOLDER_TYPE: "证件类型与用户类型不匹配",
    CHECK_DIGIT: "证件号码校验位不正确",
    BIRTH_DATE: "证件号码中的出生日期不正确",
    REGION: "证件号码中的地区码不正确",
    TYPE_MISMATCH: "证件类型与证件号码不匹配",
}

# Province-level codes of GB/T 2260 that mainland resident IDs start with.
MAINLAND_PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(n) for n in range(31, 38)] + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)] + [str(n) for n in range(61, 66)])
HMT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
EARLIEST_BIRTH = date(1900, 1, 1)


def id_types_for(holder_type):
    """The ID types a holder type may use, in select order (个人 / 机构)."""
    return [t for t in ID_TYPES.values() if holder_type in t.holder_types]


def id_type_label(code):
    return ID_TYPES[code].label if code in ID_TYPES else code or ""


def normalize_id_number(raw):
    """What users type into the one canonical form: full-width → half-width, no spaces,
    upper case (a lower-case x check digit is common)."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"\s+", "", text).upper()


# ---------------------------------------------------------------- per-type rules

def _birth_date(text):
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError(BIRTH_DATE, MESSAGES[BIRTH_DATE]) from None
    if not EARLIEST_BIRTH <= born <= clock.today():
        raise IdNumberError(BIRTH_DATE, MESSAGES[BIRTH_DATE])
    return born


def _gb11643_tail(number):
    """Birth date (characters 7-14) and check character, shared by the 18-character
    citizen-number layouts."""
    _birth_date(number[6:14])
    if gb11643_check_char(number[:17]) != number[17]:
        raise IdNumberError(CHECK_DIGIT, MESSAGES[CHECK_DIGIT])


def _resident_id(number):
    if re.fullmatch(r"\d{15}", number):
        raise IdNumberError(FORMAT, "请使用18位居民身份证号码（15位旧号码已停止使用）")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdNumberError(FORMAT, ID_TYPES[RESIDENT_ID].hint)
    if number[:2] not in MAINLAND_PROVINCES:
        raise IdNumberError(REGION, MESSAGES[REGION])
    _gb11643_tail(number)


def _hmt_residence(number):
    if not re.fullmatch(r"\d{17}[\dX]", number) or number[:6] not in HMT_REGIONS:
        raise IdNumberError(FORMAT, ID_TYPES[HMT_RESIDENCE].hint)
    _gb11643_tail(number)


def _foreign_permanent(number):
    if re.fullmatch(r"[A-Z]{3}\d{12}", number):
        return
    if not re.fullmatch(r"9\d{16}[\dX]", number):
        raise IdNumberError(FORMAT, ID_TYPES[FOREIGN_PERMANENT].hint)
    if number[1:3] not in MAINLAND_PROVINCES:
        raise IdNumberError(REGION, MESSAGES[REGION])
    _gb11643_tail(number)


def _pattern(id_type, regex):
    def check(number):
        if not re.fullmatch(regex, number):
            raise IdNumberError(FORMAT, ID_TYPES[id_type].hint)
    return check


def _uscc(number):
    if not re.fullmatch(rf"[{USCC_CHARS}]{{18}}", number):
        raise IdNumberError(FORMAT, ID_TYPES[USCC].hint)
    # 登记管理部门码 (1-9, A 军队, N 农业, Y 其他) and the 6-digit region code.
    if number[0] not in "123456789ANY" or not number[2:8].isdigit():
        raise IdNumberError(FORMAT, ID_TYPES[USCC].hint)
    if gb32100_check_char(number[:17]) != number[17]:
        raise IdNumberError(CHECK_DIGIT, MESSAGES[CHECK_DIGIT])


def _org_code(number):
    number = number.replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[\dX]", number):
        raise IdNumberError(FORMAT, ID_TYPES[ORG_CODE].hint)
    if gb11714_check_char(number[:8]) != number[8]:
        raise IdNumberError(CHECK_DIGIT, MESSAGES[CHECK_DIGIT])


_CHECKS = {
    RESIDENT_ID: _resident_id,
    HK_MACAO_PASS: _pattern(HK_MACAO_PASS, r"[HM](\d{8}|\d{10})"),
    TAIWAN_PASS: _pattern(TAIWAN_PASS, r"\d{8}"),
    HMT_RESIDENCE: _hmt_residence,
    FOREIGN_PERMANENT: _foreign_permanent,
    PASSPORT: _pattern(PASSPORT, r"[0-9A-Z]{5,17}"),
    USCC: _uscc,
    ORG_CODE: _org_code,
}
# 护照 accepts almost anything alphanumeric: it never proves a number "belongs" elsewhere.
_DISTINCTIVE = [t for t in _CHECKS if t != PASSPORT]


def _valid_as(id_type, number):
    try:
        _CHECKS[id_type](number)
    except IdNumberError:
        return False
    return True


def validate_id_number(id_type, raw, holder_type=None):
    """The normalised number, or :class:`IdNumberError` with the reason in Chinese.

    With ``holder_type`` the ID type must also be one that holder type may use
    (个人 / 机构).
    """
    if id_type not in ID_TYPES:
        raise IdNumberError(UNKNOWN_TYPE, MESSAGES[UNKNOWN_TYPE])
    if holder_type is not None and holder_type not in ID_TYPES[id_type].holder_types:
        raise IdNumberError(HOLDER_TYPE, MESSAGES[HOLDER_TYPE])
    number = normalize_id_number(raw)
    if id_type == ORG_CODE:
        number = number.replace("-", "")
    if not number:
        raise IdNumberError(EMPTY, MESSAGES[EMPTY])
    try:
        _CHECKS[id_type](number)
    except IdNumberError:
        if any(_valid_as(other, number) for other in _DISTINCTIVE if other != id_type):
            raise IdNumberError(TYPE_MISMATCH, MESSAGES[TYPE_MISMATCH]) from None
        raise
    return number


def birth_date_of(id_type, number):
    """Birth date carried by an 18-character citizen number, else ``None``."""
    number = normalize_id_number(number)
    if id_type in (RESIDENT_ID, HMT_RESIDENCE) or (
            id_type == FOREIGN_PERMANENT and len(number) == 18):
        try:
            return _birth_date(number[6:14])
        except IdNumberError:
            return None
    return None


def holder_type_label(code):
    return HOLDER_TYPES.get(code, code or "")
