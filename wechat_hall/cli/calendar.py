"""`flask calendar import FILE` and `flask calendar check YYYY-MM-DD` (docs/APPOINTMENTS.md).

Refusals go to stderr in plain Chinese with exit status 1 (2 for a malformed argument),
without click's English "Error:" prefix.
"""
import os
from datetime import date

import click
from flask.cli import AppGroup

group = AppGroup("calendar", help="节假日日历：导入国务院放假通知，查询某日是否开放。")

WEEKDAYS = "一二三四五六日"


def _fail(lines, code=1):
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(code)


@group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--cancel-bookings", is_flag=True,
              help="通知使已有预约的日期放假时，取消这些预约并通过微信通知预约人")
def import_cmd(path, cancel_bookings):
    """Load the State Council's notice (CSV: date,kind,name) in place of its years."""
    from wechat_hall.extensions import db
    from wechat_hall.services.appointments import closures
    from wechat_hall.services.calendar.notices import NoticeRefused
    try:
        with open(path, "rb") as f:
            data = f.read(1024 * 1024 + 1)
    except OSError:
        _fail([f"无法读取文件：{path}"])
    if len(data) > 1024 * 1024:
        _fail(["文件超过 1 MB，不像一份放假通知，未导入。"])
    try:
        result = closures.import_notice(data, os.path.basename(path), cancel_bookings)
    except NoticeRefused as exc:
        db.session.rollback()
        _fail(exc.errors + [f"文件未导入：共 {len(exc.errors)} 处错误，未写入任何数据。"])
    except closures.BookedDaysClosed as exc:
        db.session.rollback()
        _fail([closures.warning(day, count) + f"（{reason}）" for day, count, reason in exc.days]
              + ["文件未导入。确认取消这些预约并通知预约人，请加 --cancel-bookings 重新导入。"])
    db.session.commit()
    years = "、".join(str(y) for y in result.years)
    click.echo(f"已导入 {years} 年节假日安排：放假 {result.days_off} 天，调休上班 {result.worked} 天。")
    if result.cancelled:
        click.echo(f"已取消 {result.cancelled} 个预约，其中 {result.told} 位预约人已通过微信通知"
                   + ("" if result.told == result.cancelled else "，其余为网上营业厅预约、未绑定微信")
                   + "。")


@group.command("check")
@click.argument("day")
def check_cmd(day):
    """Is DAY (YYYY-MM-DD) open for the halls, a trading day, and which source decided."""
    from wechat_hall.services.appointments import calendar
    from wechat_hall.services.calendar import national, statutory
    from wechat_hall.services.queries import trading_days
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        _fail([f"日期“{day[:20]}”应为 YYYY-MM-DD，如 2027-01-01。"], code=2)
    status = calendar.day_status(when)
    verdict = "开放" if status.open else "休息"
    reason = f"（{status.reason}）" if status.reason else ""
    click.echo(f"{when:%Y-%m-%d} 周{WEEKDAYS[when.weekday()]}：营业厅{verdict}{reason}")
    source = status.source_label
    if status.source == national.LAW:
        source += f"（{statutory.LIBRARY}）"
    click.echo(f"依据：{source}")
    if status.provisional:
        click.echo(f"待定：{when.year}年节假日安排尚未公布，调休以国务院通知为准"
                   "（公布后用 flask calendar import 导入）。")
    click.echo(f"交易日：{'是' if trading_days.is_trading_day(when) else '否'}")
