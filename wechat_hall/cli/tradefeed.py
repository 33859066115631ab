"""`flask tradefeed import FILE` and `flask tradefeed match` (ACC-8 c)."""
import click
from flask.cli import AppGroup

from wechat_hall.adapters.tradefeed import FeedError

from .refusal import Refused

group = AppGroup("tradefeed", help="交易报盘数据（交易报盘身份认证）。")


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--match/--no-match", "match_now", default=True,
              help="导入后立即匹配（默认）；--no-match 只排队由后台任务匹配")
def import_cmd(path, match_now):
    """Import a trade-feed CSV file (format: docs/TRADEFEED.md)."""
    from wechat_hall.services.accounts import trade_feed
    try:
        result = trade_feed.import_file(path)
    except FeedError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        raise Refused(f"文件未导入：共 {len(exc.errors)} 处错误，未写入任何数据。")
    click.echo(f"读取 {result.rows} 条委托：新增认证委托 {result.stored} 条，"
               f"重复 {result.duplicates} 条，非认证委托 {result.ignored} 条。")
    if match_now and result.stored:
        click.echo(f"匹配成功 {trade_feed.match()} 笔身份认证。")


@group.command("match")
def match_cmd():
    """Match imported orders to pending trade-order checks now."""
    from wechat_hall.services.accounts import trade_feed
    click.echo(f"匹配成功 {trade_feed.match()} 笔身份认证。")
