"""The bank-card check's development backend answers from the demo cards (ACC-8 b)."""
import pytest

from wechat_hall import adapters

from tests import seeding

CARD = ("李明", "32010219900503153x", "6222021001234560156", "13912340153")


@pytest.fixture
def checker(app):
    seeding.load(app, "demo")
    with app.app_context():
        yield adapters.bankcard()


def test_a_matching_demo_card_verifies(checker):
    assert checker.verify(*CARD).matched


@pytest.mark.parametrize("index,value", [(0, "李四"), (1, "110101199003071234"), (3, "13900000000")])
def test_any_mismatch_is_refused_with_a_reason(checker, index, value):
    args = list(CARD)
    args[index] = value
    result = checker.verify(*args)
    assert not result.matched and result.reason == "银行卡信息与持卡人身份信息不一致"


def test_a_card_number_with_a_bad_check_digit_is_refused_before_lookup(checker):
    result = checker.verify(CARD[0], CARD[1], "6222021001234560157", CARD[3])
    assert not result.matched and "卡号有误" in result.reason
