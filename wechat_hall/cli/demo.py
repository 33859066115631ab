"""`flask demo seed` and `flask demo today` (P-9)."""
import click
from flask.cli import AppGroup

from wechat_hall import demo

group = AppGroup("demo", help="演示数据。")


@group.command("seed")
@click.option("--if-empty", is_flag=True, help="仅当数据库为空时加载")
def seed_cmd(if_empty):
    if if_empty and not demo.is_empty():
        click.echo("数据库已有数据，未加载演示数据。")
        return
    for line in demo.seed():
        click.echo(line)
    click.echo("演示数据已就绪。")


@group.command("today")
def today_cmd():
    """Today's demo booking for the kiosk (idempotent; `make run` runs it every time)."""
    from wechat_hall.demo import today
    from wechat_hall.extensions import db
    today.seed()
    db.session.commit()
    for line in today.logins() or ["尚未加载演示数据，请先运行 flask demo seed。"]:
        click.echo(line)
