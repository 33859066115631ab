"""ID numbers and account numbers are checked before any lookup (ACC-8 step 1, ACC-7)."""
from datetime import date

import pytest

from models.registry import INDIVIDUAL, INSTITUTION
from wechat_hall.services.accounts import account_numbers, check_characters
from wechat_hall.services.accounts import id_numbers as ids
from wechat_hall.services.accounts.account_numbers import AccountNumberError
from wechat_hall.services.accounts.id_numbers import (
    BIRTH_DATE,
    CHECK_DIGIT,
    EMPTY,
    FOREIGN_PERMANENT,
    FORMAT,
    HK_MACAO_PASS,
    HMT_RESIDENCE,
    HOLDER_TYPE,
    ORG_CODE,
    PASSPORT,
    REGION,
    RESIDENT_ID,
    TAIWAN_PASS,
    TYPE_MISMATCH,
    UNKNOWN_TYPE,
    USCC,
    IdNumberError,
)


def with_check(first17):
    """A citizen number whose only possible fault is the one the test puts in."""
    return first17 + check_characters.gb11643_check_char(first17)


VALID = [
    (RESIDENT_ID, "11010519491231002X", "11010519491231002X"),  # GB 11643's own example
    (RESIDENT_ID, "11010519491231002x", "11010519491231002X"),  # lower-case x
    (RESIDENT_ID, " 211103 19860304 0003 ", "211103198603040003"),  # spaces
    (RESIDENT_ID, "２１１１０３１９８６０３０４０００３", "211103198603040003"),  # full width
    (RESIDENT_ID, with_check("65010220000229001"), with_check("65010220000229001")),  # 29 Feb 2000
    (HMT_RESIDENCE, "810000198806080124", "810000198806080124"),
    (HMT_RESIDENCE, "820000199001010125", "820000199001010125"),
    (FOREIGN_PERMANENT, "931840197504080012", "931840197504080012"),
    (FOREIGN_PERMANENT, "usa123456789012", "USA123456789012"),  # 2004 card
    (HK_MACAO_PASS, "H60218835", "H60218835"),
    (HK_MACAO_PASS, "m1234567801", "M1234567801"),
    (TAIWAN_PASS, "12345678", "12345678"),
    (PASSPORT, "E12345678", "E12345678"),
    (PASSPORT, "g1234567", "G1234567"),
    (PASSPORT, "AB123", "AB123"),
    (PASSPORT, "H60218835", "H60218835"),  # a passport number may look like anything
    (USCC, "91310115MA1FL2Q751", "91310115MA1FL2Q751"),
    (USCC, "91350100M000100Y43", "91350100M000100Y43"),
    (USCC, "91440300708461136t", "91440300708461136T"),
    (ORG_CODE, "MA1FL2Q75", "MA1FL2Q75"),
    (ORG_CODE, "13206378-3", "132063783"),
]


@pytest.mark.parametrize("id_type,raw,normalised", VALID)
def test_valid_numbers_are_accepted_and_normalised(id_type, raw, normalised):
    assert ids.validate_id_number(id_type, raw) == normalised


INVALID = [
    # 居民身份证
    (RESIDENT_ID, "110105194912310021", CHECK_DIGIT),
    (RESIDENT_ID, "211103198603040004", CHECK_DIGIT),
    (RESIDENT_ID, with_check("11010519990230001"), BIRTH_DATE),  # 30 Feb
    (RESIDENT_ID, with_check("11010519990229001"), BIRTH_DATE),  # 1999 is no leap year
    (RESIDENT_ID, with_check("11010519991301001"), BIRTH_DATE),  # month 13
    (RESIDENT_ID, with_check("11010518991231001"), BIRTH_DATE),  # before 1900
    (RESIDENT_ID, with_check("11010520990101001"), BIRTH_DATE),  # in the future
    (RESIDENT_ID, with_check("01010519800101001"), REGION),
    (RESIDENT_ID, with_check("99010519800101001"), REGION),
    (RESIDENT_ID, with_check("71010519800101001"), REGION),
    (RESIDENT_ID, "110105491231002", FORMAT),  # 15-digit first generation
    (RESIDENT_ID, "1101051949123100", FORMAT),
    (RESIDENT_ID, "1101051949123100X2", FORMAT),
    (RESIDENT_ID, "11010519491231002Y", FORMAT),
    (RESIDENT_ID, "H60218835", TYPE_MISMATCH),  # a 港澳通行证
    (RESIDENT_ID, "91310115MA1FL2Q751", TYPE_MISMATCH),  # a 统一社会信用代码
    (RESIDENT_ID, "810000198806080124", TYPE_MISMATCH),  # a 港澳台居民居住证
    # 港澳台居民居住证, 外国人永久居留身份证
    (HMT_RESIDENCE, "840000198806080121", FORMAT),
    (HMT_RESIDENCE, "810000198806080125", CHECK_DIGIT),
    (HMT_RESIDENCE, with_check("81000019880631001"), BIRTH_DATE),
    (FOREIGN_PERMANENT, with_check("93184019750230001"), BIRTH_DATE),
    (FOREIGN_PERMANENT, "931840197504080013", CHECK_DIGIT),
    (FOREIGN_PERMANENT, with_check("99984019750408001"), REGION),
    (FOREIGN_PERMANENT, "US1234567890123", FORMAT),
    # 通行证, 护照
    (HK_MACAO_PASS, "H6021883", FORMAT),
    (HK_MACAO_PASS, "H602188351", FORMAT),  # 9 digits
    (HK_MACAO_PASS, "K60218835", FORMAT),
    (HK_MACAO_PASS, "211103198603040003", TYPE_MISMATCH),
    (TAIWAN_PASS, "1234567", FORMAT),
    (TAIWAN_PASS, "T1234567", FORMAT),
    (PASSPORT, "E123", FORMAT),
    (PASSPORT, "E1234-5678", FORMAT),
    (PASSPORT, "E12345678901234567", FORMAT),  # 18 characters
    (PASSPORT, "211103198603040003", TYPE_MISMATCH),
    # 统一社会信用代码, 组织机构代码
    (USCC, "91310115MA1FL2Q752", CHECK_DIGIT),
    (USCC, "91310115MA1FL2Q7I1", FORMAT),  # I is not in the alphabet
    (USCC, "91310115MA1FL2Q75", FORMAT),
    (USCC, "B1310115MA1FL2Q751", FORMAT),  # no such 登记管理部门
    (USCC, "211103198603040003", TYPE_MISMATCH),
    (ORG_CODE, "132063784", CHECK_DIGIT),
    (ORG_CODE, "1320637", FORMAT),
    # nothing typed
    (RESIDENT_ID, "", EMPTY),
    (PASSPORT, "   ", EMPTY),
    (USCC, None, EMPTY),
]


@pytest.mark.parametrize("id_type,raw,code", INVALID)
def test_invalid_numbers_are_refused_with_the_reason(id_type, raw, code):
    with pytest.raises(IdNumberError) as err:
        ids.validate_id_number(id_type, raw)
    assert err.value.code == code
    assert err.value.message and str(err.value) == err.value.message


def test_messages_are_in_chinese_and_say_what_is_wrong():
    def message(id_type, raw, holder_type=None):
        with pytest.raises(IdNumberError) as err:
            ids.validate_id_number(id_type, raw, holder_type)
        return err.value.message

    assert message(RESIDENT_ID, "110105194912310021") == "证件号码校验位不正确"
    assert message(RESIDENT_ID, "H60218835") == "证件类型与证件号码不匹配"
    assert message(RESIDENT_ID, with_check("11010519990230001")) == "证件号码中的出生日期不正确"
    assert message(RESIDENT_ID, "110105491231002") == "请使用18位居民身份证号码（15位旧号码已停止使用）"
    assert message(RESIDENT_ID, "1101051949") == "居民身份证号码应为18位，前17位为数字，最后一位为数字或X"
    assert message(USCC, "211103198603040003", INSTITUTION) == "证件类型与证件号码不匹配"
    assert message(USCC, "91310115MA1FL2Q751", INDIVIDUAL) == "证件类型与用户类型不匹配"
    assert message("driving_licence", "123") == "请选择证件类型"


@pytest.mark.parametrize("holder_type,id_type,ok", [
    (INDIVIDUAL, RESIDENT_ID, True), (INDIVIDUAL, HK_MACAO_PASS, True),
    (INDIVIDUAL, TAIWAN_PASS, True), (INDIVIDUAL, PASSPORT, True),
    (INDIVIDUAL, USCC, False), (INDIVIDUAL, ORG_CODE, False),
    (INSTITUTION, USCC, True), (INSTITUTION, ORG_CODE, True),
    (INSTITUTION, RESIDENT_ID, False), (INSTITUTION, PASSPORT, False),
])
def test_each_holder_type_uses_its_own_id_types(holder_type, id_type, ok):
    assert (id_type in [t.code for t in ids.id_types_for(holder_type)]) is ok
    sample = next(raw for t, raw, _ in VALID if t == id_type)
    if ok:
        ids.validate_id_number(id_type, sample, holder_type)
    else:
        with pytest.raises(IdNumberError) as err:
            ids.validate_id_number(id_type, sample, holder_type)
        assert err.value.code == HOLDER_TYPE


def test_id_type_table():
    assert ids.id_types_for(INDIVIDUAL)[0].code == RESIDENT_ID  # the select's default
    assert ids.id_type_label(RESIDENT_ID) == "居民身份证"
    assert ids.id_type_label(USCC) == "营业执照（统一社会信用代码）"
    assert ids.id_type_label("unknown") == "unknown"
    assert all(t.holder_types for t in ids.ID_TYPES.values())
    with pytest.raises(IdNumberError) as err:
        ids.validate_id_number(None, "211103198603040003")
    assert err.value.code == UNKNOWN_TYPE


def test_check_characters_of_the_standards():
    assert check_characters.gb11643_check_char("11010519491231002") == "X"
    assert check_characters.gb32100_check_char("91350100M000100Y4") == "3"
    assert check_characters.gb11714_check_char("D2143569") == "X"  # GB 11714's example D2143569-X


def test_birth_date_of_citizen_numbers():
    assert ids.birth_date_of(RESIDENT_ID, "211103198603040003") == date(1986, 3, 4)
    assert ids.birth_date_of(FOREIGN_PERMANENT, "931840197504080012") == date(1975, 4, 8)
    assert ids.birth_date_of(PASSPORT, "E12345678") is None
    assert ids.birth_date_of(RESIDENT_ID, with_check("11010519990230001")) is None


@pytest.mark.parametrize("raw,market,normalised", [
    ("A123456789", "SH", "A123456789"),
    ("a312600024", "SH", "A312600024"),
    ("E078900271", "SH", "E078900271"),
    ("0123456789", "SZ", "0123456789"),
    (" 0312600024 ", "SZ", "0312600024"),
    ("２０７８９００２７１", "SZ", "2078900271"),
])
def test_account_numbers_tell_their_market(raw, market, normalised):
    assert account_numbers.securities_account_market(raw) == market
    assert account_numbers.validate_securities_account(raw) == normalised


@pytest.mark.parametrize("raw,code", [
    ("", EMPTY), (None, EMPTY),
    ("A12345678", FORMAT), ("AB12345678", FORMAT), ("012345678", FORMAT),
    ("01234567890", FORMAT), ("A1234567890", FORMAT), ("0123-456789", FORMAT),
    ("180312600024", FORMAT),  # a 一码通 number is not a securities account
])
def test_bad_account_numbers_are_refused(raw, code):
    assert account_numbers.securities_account_market(raw) is None
    with pytest.raises(AccountNumberError) as err:
        account_numbers.validate_securities_account(raw)
    assert err.value.code == code
    if code == FORMAT:
        assert "沪市证券账户为1位字母加9位数字" in err.value.message


def test_ymt_numbers_have_twelve_digits():
    assert account_numbers.validate_ymt_number(" 180312600024") == "180312600024"
    for bad in ("18031260002", "1803126000245", "18031260002A"):
        with pytest.raises(AccountNumberError) as err:
            account_numbers.validate_ymt_number(bad)
        assert err.value.message == "一码通账户号码应为12位数字"
    with pytest.raises(AccountNumberError):
        account_numbers.validate_ymt_number("")
