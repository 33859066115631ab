"""`flask issuer …`: holder registers from the ledger (ISS-1), the day's 5 % holder
computation (ISS-3), and setting up issuers and their contacts (``add``, ``contact-add``,
``contact-reset``), for operators and tests (docs/ISSUERS.md)."""
import click
from flask.cli import AppGroup

group = AppGroup("issuer", help="发行人服务：证券持有人名册、持股5%以上股东变化。")


def _refuse(message):
    """A clear message and exit status 2, nothing written."""
    click.echo(f"错误：{message}", err=True)
    raise click.exceptions.Exit(2)


@group.command("register")
@click.argument("kind")
@click.argument("code")
@click.argument("record_date")
@click.option("--out", "out_dir", required=True, help="输出目录")
@click.option("--top", default=None, help="前N名（T2、T3）")
@click.option("--class", "xx", default=None, help="证券类别：01 无限售流通股、02 非流通股、"
              "03 全部股本类型（默认）、05 限售流通股")
@click.option("--format", "fmt", default="dbf", help="dbf（默认）、xlsx 或 csv")
@click.option("--market", default=None, help="SH、SZ 或 BJ（证券代码在多个市场存在时）")
def register_cmd(kind, code, record_date, out_dir, top, xx, fmt, market):
    """生成名册：KIND 为 T1–T6 或 B，RECORD_DATE 为权益登记日（YYYY-MM-DD）；打印所写文件的路径。"""
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import registers
    try:
        request = registers.check_request(kind, code, record_date, top, xx, fmt, market)
        written = registers.write_register(request, out_dir)
    except registers.RegisterRefused as exc:
        db.session.rollback()
        _refuse(str(exc))
    click.echo(str(written.path))


@group.command("major-holders")
@click.option("--day", default=None, help="交易日（YYYY-MM-DD），默认今天")
def major_holders_cmd(day):
    """计算持股5%以上股东的当日名单和变化（与前一交易日比较）。"""
    from datetime import date

    from wechat_hall import clock
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import major_holders
    from wechat_hall.services.queries import trading_days
    try:
        on = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        _refuse(f"日期“{day}”应为 YYYY-MM-DD")
    if not trading_days.is_trading_day(on):
        _refuse(f"{on} 不是交易日")
    runs = major_holders.run_all(on)
    db.session.commit()
    changes = sum(run.changes for run in runs)
    click.echo(f"{on}：计算 {len(runs)} 只证券，持股5%以上股东变化 {changes} 项。")


@group.command("totp")
@click.argument("login")
def totp_cmd(login):
    """打印发行人联系人当前的动态口令（演示与测试用；生产环境拒绝执行）。"""
    from flask import current_app

    from models import IssuerContact
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import contacts
    if current_app.config.get("HALL_ENV") == "production":
        _refuse("生产环境不提供动态口令查询：它会使第二重认证失效。联系人请使用自己的验证器；"
                "如验证器丢失，请用 flask issuer contact-reset 重置")
    contact = db.session.execute(db.select(IssuerContact).filter_by(
        login=login.strip())).scalar_one_or_none()
    if contact is None:
        _refuse(f"发行人联系人“{login}”不存在")
    click.echo(contacts.totp_of(contact).now())


def _setup_refused(exc):
    """Roll back and refuse (``exc``: a SetupRefused or a message)."""
    from wechat_hall.extensions import db
    db.session.rollback()
    _refuse(str(exc))


def _show_enrolment(enrolment):
    """The otpauth URI (and a generated password) once: it is not stored in clear."""
    click.echo(f"联系人 {enrolment.contact.login}（{enrolment.contact.issuer.name}）")
    click.echo(f"动态口令密钥：{enrolment.secret}")
    click.echo(f"验证器地址（只显示这一次）：{enrolment.uri}")
    if enrolment.password:
        click.echo(f"初始密码（只显示这一次）：{enrolment.password}")


@group.command("add")
@click.argument("name")
@click.option("--market", required=True, help="SH、SZ 或 BJ")
@click.option("--code", "codes", multiple=True, required=True, help="证券代码（可多次给出）")
def add_cmd(name, market, codes):
    """新增发行人 NAME，拥有 --code 给出的证券，并记收本年度查询服务费。"""
    from sqlalchemy.exc import IntegrityError

    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import setup
    try:
        issuer = setup.create_issuer(name, market, list(codes))
        db.session.commit()
    except setup.SetupRefused as exc:
        _setup_refused(exc)
    except IntegrityError:
        _setup_refused(setup.RACE_LOST)
    codes = "、".join(s.code for s in setup.contacts.securities_of(issuer.id))
    click.echo(f"已新增发行人 {issuer.id} {issuer.name}（{codes}）")


def _prompt_password():
    return click.prompt("初始密码", hide_input=True, confirmation_prompt="再次输入密码",
                        err=True)


@group.command("contact-add")
@click.argument("login")
@click.option("--code", required=True, help="该发行人的一个证券代码")
@click.option("--market", default=None, help="SH、SZ 或 BJ（证券代码在多个市场存在时）")
@click.option("--name", "person", required=True, help="姓名")
@click.option("--title", required=True, help="职务")
@click.option("--phone", required=True, help="11位手机号码")
def contact_add_cmd(login, code, market, person, title, phone):
    """新增发行人联系人 LOGIN（密码输入两次，不回显）；打印一次验证器地址。"""
    from sqlalchemy.exc import IntegrityError

    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import setup
    try:
        issuer = setup.issuer_of_code(code, market)
        enrolment = setup.add_contact(issuer, login, person, title, phone,
                                      _prompt_password() or "")
        db.session.commit()
    except setup.SetupRefused as exc:
        _setup_refused(exc)
    except IntegrityError:
        _setup_refused(setup.RACE_LOST)
    _show_enrolment(enrolment)


@group.command("contact-reset")
@click.argument("login")
def contact_reset_cmd(login):
    """重置联系人 LOGIN 的密码和动态口令（新密钥），并结束其所有会话。"""
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import setup
    try:
        contact = setup.contact_by_login(login)
        enrolment = setup.reset_contact(contact, _prompt_password() or "")
        db.session.commit()
    except setup.SetupRefused as exc:
        _setup_refused(exc)
    setup.revoke_sessions(contact)
    _show_enrolment(enrolment)


@group.command("pushes")
@click.option("--day", default=None, help="推送日（YYYY-MM-DD），默认今天")
def pushes_cmd(day):
    """按推送日（每月10日、20日、最后一个交易日；季末B股）向上市公司信箱推送名册。"""
    from datetime import date

    from wechat_hall import clock
    from wechat_hall.services.issuers import pushes
    try:
        day = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        _refuse(f"日期“{day}”应为 YYYY-MM-DD")
    for item in pushes.run_day(day):
        click.echo(item.file_name)
