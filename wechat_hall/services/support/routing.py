"""Which queue a question goes to (CS-1, CS-2): a pure function over a rule table.

Order of decision: the investor's own choice (market or business system, made in the
service centre or in answer to our clarifying question), then the ordered rule table
(first regular expression that matches wins), then nobody knows: the caller asks a
clarifying question. No database here: the table is passed in, so it is tested line by
line (tests/support/test_routing.py) and the back office edits the same lines.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

# The shipped table (seeded into cs_rule; the back office edits it there). Explicit
# market names first, then business systems, then weaker hints (cities, security codes).
DEFAULT_RULES = [
    (r"沪市|上交所|上海证券交易所|沪A|沪B|科创板", "SH", "明确说沪市"),
    (r"深市|深交所|深圳证券交易所|深A|深B|创业板", "SZ", "明确说深市"),
    (r"北交所|北京证券交易所|新三板|股转|全国股转|北京市场", "BJ", "明确说北京市场"),
    (r"投票|股东大会|持有人大会|议案|表决|累积投票|候选人|当选", "VOTE", "网络投票"),
    (r"预约|排号|排队|取号|叫号|到厅|营业厅|营业大厅|预约码", "APPOINTMENT", "业务预约与排号"),
    (r"799991|交易报盘|临柜认证|银联认证|激活|一码通|注册|登录|登陆|密码|手机号|换手机|"
     r"绑定|解绑|注销|实名|身份认证", "ACCOUNT", "账户与一码通"),
    (r"查询|持仓|余额|持有变更|冻结|质押|中签|配号|新股|红利|股息|个人所得税|红利税|"
     r"放弃认购|电子凭证|凭证|分红", "QUERY", "证券查询"),
    (r"上海|(?<!\d)6\d{5}(?!\d)", "SH", "上海或沪市证券代码（6 开头）"),
    (r"深圳|(?<!\d)(?:00|30)\d{4}(?!\d)", "SZ", "深圳或深市证券代码（00、30 开头）"),
    (r"北京|(?<!\d)(?:8\d|43|92)\d{4}(?!\d)", "BJ", "北京或北交所证券代码（8、43、92 开头）"),
]


@dataclass(frozen=True)
class Rule:
    pattern: str
    queue: str


@dataclass(frozen=True)
class Route:
    queue: str | None  # a queue code, or None: ask the investor
    reason: str        # investor | rule | clarify
    rule: int | None = None  # index of the matching rule


@lru_cache(maxsize=512)
def _compiled(pattern):
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None  # a broken line never matches (the back office refuses to save one)


def pattern_error(pattern):
    """A Chinese message if ``pattern`` is not a usable regular expression, else None."""
    if not pattern or not pattern.strip():
        return "规则表达式不能为空。"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"规则表达式有误：{exc}"
    if compiled.search(""):
        return "规则表达式会匹配任何内容（例如空字符串），请写出具体关键词。"
    return None


def route(text, rules, choice=None, known_queues=None):
    """The queue for ``text``: ``choice`` if given (and known), else the first rule whose
    pattern is found in the text, else ``Route(None, "clarify")``.

    ``rules``: ordered :class:`Rule` (or (pattern, queue) pairs). ``known_queues``: the
    queue codes that exist and are active; rules and choices naming others are skipped.
    """
    if choice and (known_queues is None or choice in known_queues):
        return Route(choice, "investor")
    text = (text or "").strip()
    if text:
        for index, rule in enumerate(rules):
            pattern, queue = (rule.pattern, rule.queue) if isinstance(rule, Rule) else rule[:2]
            if known_queues is not None and queue not in known_queues:
                continue
            compiled = _compiled(pattern)
            if compiled is not None and compiled.search(text):
                return Route(queue, "rule", index)
    return Route(None, "clarify")


def parse_choice(text, options):
    """The investor's answer to the clarifying question: its number (1, 2 …) or a queue's
    name. ``options``: ordered (code, name). Returns a code or None."""
    text = (text or "").strip().translate(str.maketrans("１２３４５６７８９０", "1234567890"))
    if text.isdigit():
        index = int(text) - 1
        return options[index][0] if 0 <= index < len(options) else None
    for code, name in options:
        if text in (name, code) or text.upper() == code:
            return code
    return None
