"""menus.json and `flask menu …` (P-2): WeChat's limits checked before pushing."""
import copy
import json

import pytest

from wechat_hall.services.wechat import menus


@pytest.fixture
def menu(app):
    with app.app_context():
        return menus.load()


def _errors(menu):
    with pytest.raises(menus.MenuInvalid) as err:
        menus.validate(menu)
    return " ".join(err.value.errors)


def test_menus_json_is_valid_and_has_the_three_menus(menu):
    menus.validate(menu)
    assert [b["name"] for b in menu["button"]] == ["我的账户", "业务办理", "公共服务"]
    names = {s["name"] for b in menu["button"] for s in b["sub_button"]}
    assert {"账户注册", "账户绑定", "个人信息", "业务预约", "网络投票", "证券查询", "在线客服"} <= names


def test_view_urls_are_filled_with_the_public_base_url(menu):
    urls = [s["url"] for b in menu["button"] for s in b["sub_button"] if s["type"] == "view"]
    assert urls and all(u.startswith("http://hall.test/h5") for u in urls)


def test_top_name_over_16_bytes_is_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"][0]["name"] = "六个汉字不行了"  # 7 × 3 bytes = 21 bytes
    assert "超过 16 字节" in _errors(bad)


def test_sub_name_over_60_bytes_is_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"][0]["sub_button"][0]["name"] = "长" * 21  # 63 bytes
    assert "超过 60 字节" in _errors(bad)


def test_ascii_name_counts_bytes_not_characters(menu):
    ok = copy.deepcopy(menu)
    ok["button"][0]["name"] = "A" * 16
    menus.validate(ok)


def test_more_than_three_top_buttons_is_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"].append(copy.deepcopy(bad["button"][0]))
    assert "最多 3 个" in _errors(bad)


def test_more_than_five_sub_buttons_is_refused(menu):
    bad = copy.deepcopy(menu)
    subs = bad["button"][1]["sub_button"]
    subs += copy.deepcopy(subs)
    assert "最多 5 个" in _errors(bad)


def test_unknown_button_type_is_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"][1]["sub_button"][0]["type"] = "teleport"
    assert "teleport" in _errors(bad)


def test_parent_with_a_type_is_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"][0]["type"] = "click"
    assert "不能再设置 type" in _errors(bad)


def test_click_without_key_and_view_without_url_are_refused(menu):
    bad = copy.deepcopy(menu)
    del bad["button"][1]["sub_button"][3]["key"]
    del bad["button"][0]["sub_button"][0]["url"]
    errors = _errors(bad)
    assert "必须有 key" in errors and "必须有 http(s) 开头的 url" in errors


def test_key_over_128_bytes_and_url_over_1024_bytes_are_refused(menu):
    bad = copy.deepcopy(menu)
    bad["button"][1]["sub_button"][3]["key"] = "K" * 129
    bad["button"][0]["sub_button"][0]["url"] = "https://x.test/" + "a" * 1020
    errors = _errors(bad)
    assert "key 超过 128 字节" in errors and "url 超过 1024 字节" in errors


def test_empty_menu_is_refused():
    assert "至少一个" in _errors({"button": []})


def test_cli_validate_push_show_delete_against_the_fake_api(runner):
    assert "菜单有效" in runner.invoke(args=["menu", "validate"]).output
    pushed = runner.invoke(args=["menu", "push"])
    assert pushed.exit_code == 0, pushed.output
    shown = runner.invoke(args=["menu", "show"])
    assert json.loads(shown.output)["menu"]["button"][0]["name"] == "我的账户"
    assert runner.invoke(args=["menu", "delete"]).exit_code == 0
    assert "没有菜单" in runner.invoke(args=["menu", "show"]).output


def test_cli_refuses_an_invalid_file_with_every_problem(runner, tmp_path):
    path = tmp_path / "menus.json"
    path.write_text(json.dumps({"button": [{"name": "太长的一级菜单名称", "type": "nope"}]}),
                    encoding="utf-8")
    result = runner.invoke(args=["menu", "push", "--file", str(path)])
    assert result.exit_code == 1
    assert "超过 16 字节" in result.output and "nope" in result.output


def test_cli_refuses_broken_json(runner, tmp_path):
    path = tmp_path / "menus.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["menu", "validate", "--file", str(path)])
    assert result.exit_code == 1 and "不是合法的 JSON" in result.output
