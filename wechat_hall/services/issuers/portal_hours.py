"""When the issuer portal serves what (seed 002, 注意事项): online applications on trading
days 8:00–17:00, self-service queries 9:30–15:00, downloads at any time — Shanghai time,
the national trading-day calendar."""
from datetime import time

from wechat_hall import clock
from wechat_hall.services.queries import trading_days

APPLICATIONS = (time(8, 0), time(17, 0))
SELF_SERVICE = (time(9, 30), time(15, 0))


def _closed(window, what):
    now = clock.local_now()
    start, end = window
    hours = f"每个交易日 {start:%H:%M}-{end:%H:%M}"
    if not trading_days.is_trading_day(now.date()):
        return f"今日（{now:%Y-%m-%d}）非交易日，{what}时间为{hours}。"
    if not start <= now.time().replace(tzinfo=None) < end:
        return f"当前不在{what}时间内（{hours}），请在该时间内办理。名册下载不受时间限制。"
    return None


def applications_closed():
    """None while applications are taken, else the message saying when they are."""
    return _closed(APPLICATIONS, "在线业务受理")


def self_service_closed():
    return _closed(SELF_SERVICE, "前端自助查询")
