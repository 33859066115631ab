"""The registrar's file names (seed 002, docs/ISSUERS.md):
``t{1-6}`` + 证券代码 + ``xx`` + 权益登记日 ``yyyymmdd`` + ``all``/``tN`` + ``.`` + ``mdd``.

``xx`` is the share class scope (01 无限售流通股, 02 非流通股, 03 全部股本类型, 05 限售
流通股) and is left out for t4–t6, which it does not apply to. ``mdd`` is the sending day:
the month as 1–9, a, b, c and the day of the month. The B 股全体名册 is a t1 of a B share.
``adapters.holder_register.parse_filename`` reads these names back.
"""
MONTHS = "123456789abc"
PREFIXES = {"T1": "t1", "T2": "t2", "T3": "t3", "T4": "t4", "T5": "t5", "T6": "t6", "B": "t1"}
NO_CLASS = ("t4", "t5", "t6")


def month_letter(month):
    return MONTHS[month - 1]


def register_file_name(kind, code, record_date, xx="03", top=None, sent_on=None):
    """``register_file_name("T1", "600001", date(2017, 4, 18), sent_on=date(2017, 4, 20))``
    → ``t16000010320170418all.420``."""
    prefix = PREFIXES[kind]
    scope = "" if prefix in NO_CLASS else xx
    extent = f"t{top}" if top else "all"
    suffix = f"{month_letter(sent_on.month)}{sent_on.day:02d}"
    return f"{prefix}{code}{scope}{record_date:%Y%m%d}{extent}.{suffix}"
