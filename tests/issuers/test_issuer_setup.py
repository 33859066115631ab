"""Setting up issuers and contacts: the desk's 发行人管理 pages and `flask issuer add /
contact-add / contact-reset` — a new contact signs in with the password and a code of
the secret shown once; a reset or 停用 ends its sessions; refusals write nothing."""
import re

import pyotp
import pytest

from models import FeeEntry, Issuer, IssuerContact, IssuerSecurity
from tests import seeding
from tests.accounts.account_helpers import Staff, csrf
from tests.issuers.portal_helpers import IssuerBrowser, text
from wechat_hall import clock
from wechat_hall.extensions import db

SETUP = "/staff/issuers/setup/"
GOOD_CONTACT = {"login": "wly_dm", "name": "李明", "title": "董事会秘书",
                "phone": "13800000858", "password": "Wly@2026ok"}


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


@pytest.fixture
def desk(app, demo):
    return Staff(app, "desk1", "issuer_desk")


def _counts(app):
    with app.app_context():
        return tuple(db.session.query(m).count()
                     for m in (Issuer, IssuerSecurity, IssuerContact, FeeEntry))


def _issuer_id(app, name):
    with app.app_context():
        return db.session.execute(db.select(Issuer.id).filter_by(name=name)).scalar_one()


def _contact(app, login):
    with app.app_context():
        row = db.session.execute(db.select(IssuerContact).filter_by(login=login)).scalar_one()
        db.session.expunge(row)
        return row


def _new_issuer(desk, name="五粮液", market="SZ", codes="000858 200002"):
    return desk.post(SETUP + "new", {"name": name, "market": market, "codes": codes},
                     page=SETUP + "new")


def _new_contact(desk, issuer_id, **fields):
    page = f"{SETUP}{issuer_id}/contacts/new"
    return desk.post(page, {**GOOD_CONTACT, **fields}, page=page)


def _enrolment(desk):
    """The one-time page: (secret, password shown or None, html)."""
    page = desk.get(SETUP + "enrolment")
    assert page.status_code == 200
    html = text(page)
    assert "只显示这一次" in html and 'src="data:image/png;base64,' in html
    secret = re.search(r'class="iss-secret">([A-Z2-7]{16,})<', html).group(1)
    shown = re.findall(r'<dt>初始密码</dt><dd class="iss-secret">([^<]+)<', html)
    return secret, (shown[0] if shown else None), html


def _now(app):
    with app.app_context():  # the app's frozen clock
        return clock.timestamp()


def _sign_in(app, login, password, secret, at=None):
    """Password then the code of ``secret``; returns (client, the OTP answer)."""
    client = app.test_client()
    token = csrf(client, "/issuer/login")
    first = client.post("/issuer/login", data={"csrf_token": token, "login": login,
                                               "password": password})
    if first.status_code != 302:
        return client, first
    code = pyotp.TOTP(secret).at(at if at is not None else _now(app))
    token = csrf(client, "/issuer/login/otp")
    return client, client.post("/issuer/login/otp", data={"csrf_token": token, "code": code})


def test_the_desk_sets_up_an_issuer_and_its_contact_signs_in(app, desk):
    before = _counts(app)
    resp = _new_issuer(desk)
    assert resp.status_code == 302, text(resp)[:600]
    issuer_id = _issuer_id(app, "五粮液")
    assert resp.headers["Location"].endswith(f"/setup/{issuer_id}/contacts/new")
    with app.app_context():
        fees = db.session.execute(db.select(FeeEntry.note).order_by(FeeEntry.id.desc())
                                  .limit(2)).scalars().all()
    assert sorted(fees) == ["2026年度A股查询服务费", "2026年度B股查询服务费"]
    resp = _new_contact(desk, issuer_id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/setup/enrolment")
    secret, shown, html = _enrolment(desk)
    assert shown is None and "使用设置时输入的密码" in html
    assert _contact(app, "wly_dm").totp_secret == secret
    again = desk.get(SETUP + "enrolment")  # shown once
    assert again.status_code == 302 and secret not in text(desk.get(SETUP))
    listing = text(desk.get(SETUP))
    assert "五粮液" in listing and "000858" in listing and "200002" in listing and "wly_dm" in listing and "138****0858" in listing
    assert _counts(app) == tuple(b + d for b, d in zip(before, (1, 2, 1, 2)))

    client, resp = _sign_in(app, "wly_dm", "Wly@2026ok", secret)
    assert resp.status_code == 302, text(resp)[:500]
    home = client.get("/issuer/")
    assert home.status_code == 200 and "五粮液" in text(home) and "000858" in text(home)


def test_a_generated_password_is_shown_once_and_works(app, desk):
    _new_issuer(desk)
    _new_contact(desk, _issuer_id(app, "五粮液"), password="")
    secret, shown, _ = _enrolment(desk)
    assert shown and 8 <= len(shown) <= 16
    _, resp = _sign_in(app, "wly_dm", shown, secret)
    assert resp.status_code == 302


def test_reset_ends_the_session_and_the_old_password_and_secret(app, desk):
    _new_issuer(desk)
    _new_contact(desk, _issuer_id(app, "五粮液"))
    old_secret, _, _ = _enrolment(desk)
    client, resp = _sign_in(app, "wly_dm", "Wly@2026ok", old_secret)
    assert resp.status_code == 302 and client.get("/issuer/").status_code == 200
    contact = _contact(app, "wly_dm")
    assert contact.totp_last_step > 0
    resp = desk.post(f"{SETUP}contacts/{contact.id}/reset", {}, page=SETUP)
    assert resp.status_code == 302
    new_secret, new_password, _ = _enrolment(desk)
    assert new_secret != old_secret and new_password
    after = _contact(app, "wly_dm")
    assert after.totp_last_step == 0 and after.session_epoch == contact.session_epoch + 1
    assert client.get("/issuer/").status_code == 302  # the old session is gone
    _, old = _sign_in(app, "wly_dm", "Wly@2026ok", new_secret)
    assert old.status_code == 200 and "用户名或密码错误" in text(old)
    # the new password with a code of the old secret (a later step, unused): refused
    _, stale = _sign_in(app, "wly_dm", new_password, old_secret, at=_now(app) + 30)
    assert stale.status_code == 200 and "动态口令错误" in text(stale)
    _, fresh = _sign_in(app, "wly_dm", new_password, new_secret)
    assert fresh.status_code == 302


def test_a_deactivated_contact_cannot_sign_in_and_loses_its_session(app, desk):
    browser = IssuerBrowser(app)  # 浦江科技's pujiang
    assert browser.get("/issuer/").status_code == 200
    contact = _contact(app, "pujiang")
    resp = desk.post(f"{SETUP}contacts/{contact.id}/deactivate", {}, page=SETUP)
    assert resp.status_code == 302
    assert "已停用" in text(desk.get(SETUP))
    assert browser.get("/issuer/").status_code == 302
    client = app.test_client()
    token = csrf(client, "/issuer/login")
    refused = client.post("/issuer/login", data={"csrf_token": token, "login": "pujiang",
                                                 "password": "Issuer@2026"})
    assert refused.status_code == 200 and "账号已停用" in text(refused)
    twice = desk.post(f"{SETUP}contacts/{contact.id}/deactivate", {}, page=SETUP)
    assert twice.status_code == 302 and "该联系人已停用" in text(desk.get(SETUP))
    assert desk.post(f"{SETUP}contacts/{contact.id}/activate", {}, page=SETUP).status_code == 302
    again = client.post("/issuer/login", data={"csrf_token": token, "login": "pujiang",
                                               "password": "Issuer@2026"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/issuer/login/otp")


@pytest.mark.parametrize("fields, message", [
    ({"codes": "600999"}, "深圳市场没有证券代码 600999"),
    ({"codes": "000858 600888", "market": "SH"}, "上海市场没有证券代码 000858"),
    ({"codes": "600888", "market": "SH"}, "证券代码 600888 已属于发行人“浦江科技”"),
    ({"codes": "12345"}, "应为6位数字"),
    ({"codes": ""}, "请至少填写一个证券代码"),
    ({"name": ""}, "请填写发行人名称"),
    ({"name": "浦江科技", "codes": "000858"}, "发行人“浦江科技”已存在"),
    ({"market": "XX"}, "市场应为"),
])
def test_a_bad_issuer_is_refused_and_nothing_is_written(app, desk, fields, message):
    before = _counts(app)
    resp = _new_issuer(desk, **{"name": "五粮液", "market": "SZ", "codes": "000858", **fields})
    assert resp.status_code == 200 and message in text(resp), text(resp)[:800]
    assert _counts(app) == before


@pytest.mark.parametrize("fields, message", [
    ({"login": "pujiang"}, "登录名 pujiang 已被使用"),
    ({"login": "PUJIANG"}, "登录名 PUJIANG 已被使用"),
    ({"login": "李 明"}, "登录名须为2-64位字母"),
    ({"password": "abcdefgh"}, "密码须包含字母、数字、符号中的至少两种"),
    ({"password": "a1"}, "密码长度须为8-16位"),
    ({"phone": "1380000085"}, "手机号码应为11位数字"),
    ({"phone": "138000008581"}, "手机号码最多11个字"),
    ({"phone": "2380000085a"}, "手机号码应为11位数字"),
    ({"name": ""}, "请填写姓名"),
    ({"title": ""}, "请填写职务"),
])
def test_a_bad_contact_is_refused_and_nothing_is_written(app, desk, fields, message):
    issuer_id = _issuer_id(app, "浦江科技")
    before = _counts(app)
    resp = _new_contact(desk, issuer_id, **fields)
    assert resp.status_code == 200 and message in text(resp), text(resp)[:800]
    assert _counts(app) == before


def test_nul_bytes_are_refused_in_chinese_and_write_nothing(app, desk):
    before = _counts(app)
    resp = _new_issuer(desk, name="五粮\x00液")
    assert resp.status_code == 400 and re.search(r"[\u4e00-\u9fff]", text(resp))
    resp = _new_contact(desk, _issuer_id(app, "浦江科技"), login="a\x00b")
    assert resp.status_code == 400
    assert _counts(app) == before
    with app.app_context():  # the service refuses them too (the CLI has no request guard)
        from wechat_hall.services.issuers import setup
        with pytest.raises(setup.SetupRefused, match="控制字符"):
            setup.create_issuer("五粮\x00液", "SZ", ["000858"])
        db.session.rollback()


def test_only_the_desk_and_admins_reach_the_setup_pages(app, demo):
    pages = (SETUP, SETUP + "new", SETUP + "1/contacts/new", SETUP + "enrolment")
    agent = Staff(app, "agent1", "agent")
    for path in pages:
        assert agent.get(path).status_code == 403, path
    contact = _contact(app, "pujiang")
    before = _counts(app)
    for action in ("reset", "deactivate"):
        resp = agent.post(f"{SETUP}contacts/{contact.id}/{action}", {}, page="/staff/cs/")
        assert resp.status_code == 403
    assert _contact(app, "pujiang").session_epoch == contact.session_epoch
    assert _counts(app) == before
    anonymous = app.test_client()
    for path in pages:
        resp = anonymous.get(path)
        assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"], path
    issuer = IssuerBrowser(app)
    assert issuer.get(SETUP).status_code == 302
    admin = Staff(app, "admin1", "admin")
    assert admin.get(SETUP).status_code == 200


# -- the CLI -------------------------------------------------------------------------

def test_cli_adds_an_issuer_and_a_contact_who_signs_in(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["issuer", "add", "五粮液", "--market", "SZ", "--code", "000858",
                                 "--code", "200002"])
    assert result.exit_code == 0, result.output
    assert "已新增发行人" in result.output and "000858、200002" in result.output
    result = runner.invoke(args=["issuer", "contact-add", "wly_dm", "--code", "000858",
                                 "--name", "李明", "--title", "董事会秘书",
                                 "--phone", "13800000858"], input="Wly@2026ok\nWly@2026ok\n")
    assert result.exit_code == 0, result.output
    uri = re.search(r"otpauth://totp/\S+", result.output).group(0)
    assert "Wly@2026ok" not in result.output
    secret = pyotp.parse_uri(uri).secret
    client, resp = _sign_in(app, "wly_dm", "Wly@2026ok", secret)
    assert resp.status_code == 302 and client.get("/issuer/").status_code == 200

    result = runner.invoke(args=["issuer", "contact-reset", "wly_dm"],
                           input="New@2026ok\nNew@2026ok\n")
    assert result.exit_code == 0, result.output
    new_secret = pyotp.parse_uri(re.search(r"otpauth://totp/\S+", result.output).group(0)).secret
    assert new_secret != secret
    assert client.get("/issuer/").status_code == 302  # the session ended
    _, resp = _sign_in(app, "wly_dm", "New@2026ok", new_secret)
    assert resp.status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["add", "X", "--market", "SZ", "--code", "600888"], None, "深圳市场没有证券代码 600888"),
    (["add", "X", "--market", "SH", "--code", "600888"], None, "已属于发行人“浦江科技”"),
    (["add", "X", "--market", "HK", "--code", "600888"], None, "市场应为"),
    (["contact-add", "pujiang", "--code", "600888", "--name", "甲", "--title", "乙",
      "--phone", "13800000000"], "Abc@12345\nAbc@12345\n", "登录名 pujiang 已被使用"),
    (["contact-add", "newone", "--code", "000858", "--name", "甲", "--title", "乙",
      "--phone", "13800000000"], "Abc@12345\nAbc@12345\n", "不属于任何发行人"),
    (["contact-add", "newone", "--code", "600888", "--name", "甲", "--title", "乙",
      "--phone", "138"], "Abc@12345\nAbc@12345\n", "手机号码应为11位数字"),
    (["contact-add", "newone", "--code", "600888", "--name", "甲", "--title", "乙",
      "--phone", "13800000000"], "abcdefgh\nabcdefgh\n", "至少两种"),
    (["contact-reset", "nobody"], "Abc@12345\nAbc@12345\n", "“nobody”不存在"),
])
def test_cli_refusals_write_nothing(app, demo, args, stdin, message):
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["issuer", *args], input=stdin)
    assert result.exit_code == 2 and message in result.output, result.output
    assert _counts(app) == before


def test_cli_totp_is_refused_in_production(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["issuer", "totp", "pujiang"])
    assert result.exit_code == 0 and re.fullmatch(r"\d{6}\n", result.output)
    app.config["HALL_ENV"] = "production"
    result = runner.invoke(args=["issuer", "totp", "pujiang"])
    assert result.exit_code == 2 and "生产环境不提供动态口令查询" in result.output
    assert not re.search(r"\b\d{6}\b", result.output)


def test_a_lost_race_is_a_message_not_a_500(app, desk, monkeypatch):
    """Two desks taking the same code at once: the unique index decides, the loser is told."""
    from models import Security
    from wechat_hall.services.issuers import setup
    with app.app_context():
        taken = db.session.execute(db.select(Security.id).filter_by(code="600888")).scalar_one()

    def unchecked(market, codes, issuer_id=None):  # the check passed before the other commit
        return [db.session.get(Security, taken)]
    monkeypatch.setattr(setup, "_securities", unchecked)
    before = _counts(app)
    resp = _new_issuer(desk, codes="000858")
    assert resp.status_code == 200 and "刚被他人占用" in text(resp)
    result = app.test_cli_runner().invoke(args=["issuer", "add", "X", "--market", "SZ",
                                                "--code", "000858"])
    assert result.exit_code == 2 and "刚被他人占用" in result.output
    assert _counts(app) == before
