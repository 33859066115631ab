"""The app's own WeChat client against the fake API, in-process (no server running)."""
import pytest

from models import SimOutbound, SimToken
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.wechat import api, menus


def test_send_text_reaches_the_conversation(app, phone):
    openid = phone.follower()
    with app.app_context():
        api.send_text(openid, "您好，这里是人工客服。")
        row = db.session.execute(db.select(SimOutbound)).scalar_one()
    assert row.openid == openid and row.payload["text"]["content"] == "您好，这里是人工客服。"


def test_send_text_refusal_is_surfaced_not_retried(app, phone, age):
    openid = phone.follower()
    age(openid, 120)
    with app.app_context():
        with pytest.raises(api.WeChatRefused) as refused:
            api.send_text(openid, "太迟了")
        assert refused.value.errcode == 45015 and refused.value.permanent
        assert "48 小时" in refused.value.text
        assert db.session.execute(db.select(db.func.count(SimOutbound.id))).scalar() == 1


def test_menu_push_show_delete(app):
    with app.app_context():
        menu = menus.load()
        menus.push(menu)
        shown = menus.show()
        assert [b["name"] for b in shown["menu"]["button"]] == ["我的账户", "业务办理", "公共服务"]
        menus.delete()
        with pytest.raises(api.WeChatRefused) as refused:
            menus.show()
        assert refused.value.errcode == 46003  # `flask menu show` says: no menu


def test_an_expired_token_is_refreshed_once(app, phone):
    openid = phone.follower()
    with app.app_context():
        api.send_text(openid, "一")
        for row in db.session.execute(db.select(SimToken)).scalars():
            row.expires_at = utcnow()  # 42001 on the next call
        db.session.commit()
        api.send_text(openid, "二")
        tokens = db.session.execute(db.select(SimToken)).scalars().all()
        assert len(tokens) == 2 and all(t.kind == "stable" for t in tokens)


def test_user_info_has_no_nickname(app, phone, fake_api):
    openid = phone.follower()
    info = fake_api.get("/cgi-bin/user/info", openid=openid, lang="zh_CN")
    assert info["subscribe"] == 1 and info["openid"] == openid and info["subscribe_time"] > 0
    assert "nickname" not in info and "headimgurl" not in info
    phone.event(openid, "unsubscribe")
    assert fake_api.get("/cgi-bin/user/info", openid=openid) == {"subscribe": 0,
                                                                  "openid": openid}
    assert fake_api.get("/cgi-bin/user/info", openid="o_unknown_user")["errcode"] == 40003
    assert fake_api.get("/cgi-bin/user/info")["errcode"] == 41009


def test_cli_menu_push_uses_the_simulator(app, runner):
    result = runner.invoke(args=["menu", "push"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["menu", "show"])
    assert "我的账户" in result.output
