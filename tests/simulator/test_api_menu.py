"""Fake API: menu create / get / delete, refused with WeChat's own codes."""
import pytest


def _click(name="查询", key="Q"):
    return {"type": "click", "name": name, "key": key}


def _view(name="大厅", url="https://hall.example/h5/"):
    return {"type": "view", "name": name, "url": url}


def test_create_get_delete(fake_api):
    menu = {"button": [_click(), {"name": "更多", "sub_button": [_view(), _click("网点", "O")]}]}
    assert fake_api.post("/cgi-bin/menu/create", menu)["errcode"] == 0
    got = fake_api.get("/cgi-bin/menu/get")
    buttons = got["menu"]["button"]
    assert [b["name"] for b in buttons] == ["查询", "更多"]
    assert buttons[0]["sub_button"] == []  # WeChat gives every leaf an empty list
    assert buttons[1]["sub_button"][0]["url"] == "https://hall.example/h5/"
    assert fake_api.get("/cgi-bin/menu/delete")["errcode"] == 0
    assert fake_api.get("/cgi-bin/menu/get")["errcode"] == 46003


def test_menus_json_is_accepted(app, fake_api):
    from wechat_hall.services.wechat import menus
    with app.app_context():
        menu = menus.load()
    assert fake_api.post("/cgi-bin/menu/create", menu)["errcode"] == 0


@pytest.mark.parametrize("menu, code", [
    ({"button": [_click(f"菜单{i}", f"K{i}") for i in range(4)]}, 40016),   # four top buttons
    ({"button": []}, 40016),
    ({"button": [{"name": "更多", "sub_button": [_click(f"子{i}", f"K{i}") for i in range(6)]}]},
     40023),                                                                # six sub buttons
    ({"button": [_click("一二三四五六")]}, 40018),                           # 18 bytes > 16
    ({"button": [_click("")]}, 40018),
    ({"button": [{"name": "更多", "sub_button": [_click("名" * 21)]}]}, 40025),  # 63 bytes > 60
    ({"button": [{"type": "bogus", "name": "错", "key": "K"}]}, 40017),
    ({"button": [{"name": "更多", "sub_button": [{"type": "bogus", "name": "错"}]}]}, 40024),
    ({"button": [{"name": "更多", "type": "click", "key": "K", "sub_button": [_view()]}]}, 40017),
    ({"button": [_click("查", "K" * 129)]}, 40019),
    ({"button": [_click("查", "")]}, 40019),
    ({"button": [{"name": "更多", "sub_button": [_click("查", "K" * 129)]}]}, 40026),
    ({"button": [_view(url="ftp://hall.example/")]}, 40055),
    ({"button": [{"name": "更多", "sub_button": [_view(url="hall.example/h5")]}]}, 40054),
    ({"button": [_view(url="https://hall.example/" + "a" * 1010)]}, 40020),
    ({"button": [{"name": "更多", "sub_button": [_view(url="https://h.example/" + "a" * 1010)]}]},
     40027),
    ({"button": [{"name": "更多", "sub_button": [
        {"name": "深", "sub_button": [_click()]}]}]}, 40022),
    ({"menu": []}, 40016),
    ({"button": ["not an object"]}, 47001),
])
def test_create_refuses_like_wechat(fake_api, menu, code):
    assert fake_api.post("/cgi-bin/menu/create", menu)["errcode"] == code
    assert fake_api.get("/cgi-bin/menu/get")["errcode"] == 46003  # nothing stored


def test_name_limits_are_bytes_not_characters(fake_api):
    five_chinese = {"button": [_click("一二三四五")]}  # 15 bytes: fits
    assert fake_api.post("/cgi-bin/menu/create", five_chinese)["errcode"] == 0
    sixteen_ascii = {"button": [_click("A" * 16)]}
    assert fake_api.post("/cgi-bin/menu/create", sixteen_ascii)["errcode"] == 0
    seventeen = {"button": [_click("A" * 17)]}
    assert fake_api.post("/cgi-bin/menu/create", seventeen)["errcode"] == 40018


def test_malformed_bodies(fake_api):
    assert fake_api.post("/cgi-bin/menu/create", raw=b"")["errcode"] == 44002
    assert fake_api.post("/cgi-bin/menu/create", raw=b"{\"button\": [")["errcode"] == 47001
    assert fake_api.post("/cgi-bin/menu/create", raw="按钮".encode("gbk"))["errcode"] == 47001
    assert fake_api.post("/cgi-bin/menu/create", raw=b"42")["errcode"] == 47001
