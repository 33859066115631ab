"""`flask staff create` for the first admin of a real deployment."""
import click
from flask.cli import AppGroup

from models import ROLES, StaffUser
from wechat_hall.extensions import db

from .refusal import Refused

group = AppGroup("staff", help="员工账号。")


@group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(sorted(ROLES)), required=True)
@click.option("--name", default="")
@click.password_option()
def create_cmd(username, roles, name, password):
    from wechat_hall.services.accounts.staff_users import PasswordRejected, check_password_rules
    try:
        check_password_rules(password)
    except PasswordRejected as exc:
        raise Refused(str(exc))
    if db.session.execute(db.select(StaffUser).filter_by(username=username)).scalar_one_or_none():
        raise Refused(f"账号 {username} 已存在")
    user = StaffUser(username=username, display_name=name or username, roles=" ".join(roles))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"已创建员工账号 {username}（{user.role_labels}）")
