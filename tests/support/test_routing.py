"""The routing table (CS-1): a pure function, tested line by line; knowledge matching and
business hours too. No app, no database."""
from datetime import datetime, time

import pytest

from wechat_hall import clock
from wechat_hall.demo.support import KNOWLEDGE, QUEUES
from wechat_hall.services.support import hours, knowledge, routing
from wechat_hall.services.support.routing import DEFAULT_RULES, Route, Rule, route

KNOWN = {code for code, *_ in QUEUES}


@pytest.mark.parametrize("text, queue", [
    # markets named outright
    ("沪市账户的分红什么时候到", "SH"),
    ("我在上交所买的股票", "SH"),
    ("深交所的股票怎么查冻结", "SZ"),
    ("创业板的新股中签", "SZ"),
    ("北交所的股票能投票吗", "BJ"),
    ("新三板股份查询", "BJ"),
    # business systems
    ("股东大会网络投票怎么投", "VOTE"),
    ("累积投票的表决权怎么算", "VOTE"),
    ("我想预约去营业厅办理质押", "APPOINTMENT"),
    ("排号到我了吗", "APPOINTMENT"),
    ("一码通怎么激活", "ACCOUNT"),
    ("忘记登录密码了", "ACCOUNT"),
    ("799991 这个代码下单了没反应", "ACCOUNT"),
    ("换手机号以后收不到验证码", "ACCOUNT"),
    ("持仓余额查不到", "QUERY"),
    ("电子凭证发到邮箱了吗", "QUERY"),
    ("红利税扣多了", "QUERY"),
    # weaker hints: cities and security codes, after the business words
    ("上海的大厅地址", "SH"),
    ("600519 的持有人", "SH"),
    ("000001 这只", "SZ"),
    ("300750 怎么回事", "SZ"),
    ("830799 是哪里的", "BJ"),
    ("北京那边怎么办", "BJ"),
    # business words win over cities: "预约北京大厅" is an appointment question
    ("预约北京大厅", "APPOINTMENT"),
    # a business word beats a security code
    ("600519 的股东大会投票", "VOTE"),
    # nothing to go on: ask
    ("你好", None),
    ("在吗", None),
    ("12345", None),
    ("", None),
])
def test_default_table(text, queue):
    assert route(text, DEFAULT_RULES, known_queues=KNOWN).queue == queue


def test_the_investors_choice_comes_first():
    assert route("一码通怎么激活", DEFAULT_RULES, choice="SH") == Route("SH", "investor")


def test_an_unknown_choice_is_ignored_and_the_table_decides():
    result = route("一码通怎么激活", DEFAULT_RULES, choice="NOPE", known_queues=KNOWN)
    assert result.queue == "ACCOUNT" and result.reason == "rule"


def test_first_matching_line_wins_and_is_reported():
    rules = [Rule("激活", "A"), Rule("一码通", "B")]
    assert route("一码通激活", rules) == Route("A", "rule", 0)
    assert route("一码通", rules) == Route("B", "rule", 1)


def test_lines_for_unknown_or_inactive_queues_are_skipped():
    rules = [("激活", "GONE"), ("激活", "ACCOUNT")]
    assert route("激活", rules, known_queues={"ACCOUNT"}).queue == "ACCOUNT"


def test_a_broken_pattern_never_matches():
    assert route("abc", [("(", "X"), ("abc", "Y")]).queue == "Y"


@pytest.mark.parametrize("pattern, ok", [
    ("投票|表决", True), ("(", False), ("", False), ("a|", False), (".*", False),
])
def test_back_office_refuses_unusable_patterns(pattern, ok):
    assert (routing.pattern_error(pattern) is None) is ok


@pytest.mark.parametrize("answer, code", [
    ("1", "SH"), ("３", "BJ"), (" 4 ", "ACCOUNT"), ("投票", "VOTE"), ("vote", "VOTE"),
    ("9", None), ("0", None), ("随便", None),
])
def test_answers_to_the_clarifying_question(answer, code):
    options = [(c, n) for c, n, *_ in QUEUES][:7]
    assert routing.parse_choice(answer, options) == code


# -- knowledge base ----------------------------------------------------------------------

ENTRIES = [knowledge.Entry(i, q, question, knowledge.keywords_of(k))
           for i, (q, question, k, _) in enumerate(KNOWLEDGE)]


@pytest.mark.parametrize("text, queue, expected", [
    ("一码通怎么激活啊", "ACCOUNT", "如何绑定及激活一码通？"),
    ("手机号一个月能换几次", "ACCOUNT", "手机号一个月能变更几次？"),
    ("电子凭证每天能申请几次", "QUERY", "电子凭证怎么申请？每天能申请几次？"),
    ("下午几点停止预约次日的号源", "APPOINTMENT", "业务预约有什么规则？几点停止预约？"),
    ("累积投票怎么分配表决权", "VOTE", "累积投票怎么投？"),
    ("红利税怎么算", "QUERY", "股息红利个人所得税怎么计算？"),
    ("交易报盘认证买799991多少钱", "ACCOUNT", "交易报盘身份认证怎么操作？"),
    ("客服热线电话多少", "OTHER", "人工客服的服务时间和热线？"),  # every queue's entry
    ("我的情况比较特殊", "ACCOUNT", None),
])
def test_knowledge_answers(text, queue, expected):
    entry = knowledge.best_match(ENTRIES, text, queue=queue)
    assert (entry.question if entry else None) == expected


def test_after_picking_a_market_general_answers_are_still_found():
    """Issue 16: 沪市 chosen, a question of the 账户 or 投票 system gets its answer."""
    assert knowledge.best_match(ENTRIES, "一码通怎么激活？", queue="SH").question == \
        "如何绑定及激活一码通？"
    assert knowledge.best_match(ENTRIES, "累积投票怎么投", queue="SH").question == "累积投票怎么投？"
    assert knowledge.best_match(ENTRIES, "我的情况比较特殊", queue="SH") is None


def test_the_exact_question_wins():
    entry = knowledge.best_match(ENTRIES, "投票提交后能修改吗？")
    assert entry.question == "投票提交后能修改吗？"


# -- business hours ------------------------------------------------------------------------

HOURS = [(d, time(8, 30), time(17, 0)) for d in range(5)]


@pytest.mark.parametrize("when, is_open", [
    (datetime(2026, 11, 23, 8, 29), False),   # Monday, before
    (datetime(2026, 11, 23, 8, 30), True),
    (datetime(2026, 11, 23, 16, 59), True),
    (datetime(2026, 11, 23, 17, 0), False),   # closes at 17:00
    (datetime(2026, 11, 22, 10, 0), False),   # Sunday
    (datetime(2026, 11, 27, 10, 0), True),    # Friday
])
def test_business_hours(when, is_open):
    assert hours.is_open(when, HOURS) is is_open


def test_hours_are_local_time():
    # 01:00 UTC is 09:00 in Shanghai
    assert clock.wall_time(datetime(2026, 11, 23, 1, 0)) == datetime(2026, 11, 23, 9, 0)


def test_hours_described_as_people_say_them():
    assert hours.describe(HOURS) == "周一至周五 8:30—17:00"
    assert hours.describe([]) == "暂无人工服务时间"
    assert hours.describe([(0, time(9), time(12)), (2, time(9), time(12))]) == \
        "周一、周三 9:00—12:00"


def test_a_public_holiday_closes_customer_service_whatever_its_weekday():
    """元旦 2027 is a Friday: the week's hours say open, the national calendar says not;
    a 法定节假日 line (值班时间) opens it again. 2026-10-10, a Saturday worked for 国庆节,
    takes the hours of a working weekday."""
    from wechat_hall.services.calendar import national
    new_year = datetime(2027, 1, 1, 10, 0)
    assert hours.is_open(new_year, HOURS) is True  # the table alone
    assert hours.is_open(new_year, HOURS, national.national_status(new_year.date())) is False
    on_duty = HOURS + [(hours.HOLIDAYS, time(9), time(12))]
    assert hours.is_open(new_year, on_duty, national.national_status(new_year.date())) is True
    worked = datetime(2026, 10, 10, 10, 0)
    assert hours.is_open(worked, HOURS) is False
    assert hours.is_open(worked, HOURS, national.national_status(worked.date())) is True
    sunday = datetime(2026, 11, 22, 10, 0)
    assert hours.is_open(sunday, HOURS, national.national_status(sunday.date())) is False
    assert hours.describe(on_duty) == "周一至周五 8:30—17:00；法定节假日 9:00—12:00"
    assert hours.describe_with_holidays(HOURS) == "周一至周五 8:30—17:00（法定节假日除外）"
