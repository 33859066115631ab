"""`flask menu validate | push | show | delete` (P-2)."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from wechat_hall.services.wechat import api, menus

group = AppGroup("menu", help="公众号菜单：校验、发布、查看、删除。")


def _load(path):
    try:
        return menus.validate(menus.load(path))
    except menus.MenuInvalid as exc:
        click.echo("菜单不符合微信的规则：", err=True)
        for error in exc.errors:
            click.echo(f"  - {error}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"无法读取菜单文件：{exc}", err=True)
        sys.exit(1)


def _target():
    cfg = current_app.config
    if cfg["SIMULATOR_ENABLED"] and not cfg["WECHAT_API_BASE_URL"]:
        return "微信模拟器（本进程内调用其接口）"
    return api.api_base_url() or "https://api.weixin.qq.com（微信）"


@group.command("validate")
@click.option("--file", "path", default=None, help="菜单文件，默认 menus.json")
def validate_cmd(path):
    menu = _load(path)
    click.echo(f"菜单有效：{len(menu['button'])} 个一级菜单，"
               f"{sum(len(b.get('sub_button') or []) for b in menu['button'])} 个子菜单。")


@group.command("push")
@click.option("--file", "path", default=None, help="菜单文件，默认 menus.json")
def push_cmd(path):
    menu = _load(path)
    try:
        menus.push(menu)
    except api.WeChatRefused as exc:
        click.echo(f"发布失败：{exc.errcode} {exc.text}", err=True)
        sys.exit(1)
    click.echo(f"菜单已发布到 {_target()}")


@group.command("show")
def show_cmd():
    try:
        result = menus.show()
    except api.WeChatRefused as exc:
        if exc.errcode == 46003:
            click.echo("公众号当前没有菜单。")
            return
        click.echo(f"查询失败：{exc.errcode} {exc.text}", err=True)
        sys.exit(1)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@group.command("delete")
def delete_cmd():
    try:
        menus.delete()
    except api.WeChatRefused as exc:
        click.echo(f"删除失败：{exc.errcode} {exc.text}", err=True)
        sys.exit(1)
    click.echo(f"菜单已从 {_target()} 删除")
