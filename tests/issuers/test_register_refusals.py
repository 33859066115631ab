"""Bad input to `flask issuer register` (ISS-1): a clear Chinese message on stderr, exit
status 2, and nothing written in the output directory."""
import pytest

from tests.issuers.ledger_world import World
from wechat_hall.extensions import db

CASES = [
    (["T9", "600123", "2026-11-23"], "名册种类“T9”无效"),
    (["T1", "60012", "2026-11-23"], "证券代码“60012”应为6位数字"),
    (["T1", "600999", "2026-11-23"], "证券代码 600999 不存在"),
    (["T1", "600123", "2026-11-31"], "应为 YYYY-MM-DD 格式的日期"),
    (["T1", "600123", "23/11/2026"], "应为 YYYY-MM-DD 格式的日期"),
    (["T1", "600123", "2026-11-25"], "晚于今天"),
    (["T1", "600123", "2026-11-22"], "2026-11-22 不是交易日"),
    (["T1", "600123", "2026-10-01"], "2026-10-01 不是交易日"),
    (["T1", "600123", "2026-11-16"], "在 2026-11-16 无全部股本类型持有人，未生成名册"),
    (["T2", "600123", "2026-11-23", "--top", "0"], "前N名数量应在 1 至 10,000 之间"),
    (["T2", "600123", "2026-11-23", "--top", "99999999999"], "前N名数量应在 1 至 10,000 之间"),
    (["T2", "600123", "2026-11-23", "--top", "十"], "前N名数量“十”应为整数"),
    (["T1", "600123", "2026-11-23", "--top", "10"], "T1 为全体名册，不能指定前N名"),
    (["T1", "600123", "2026-11-23", "--class", "04"], "证券类别“04”无效"),
    (["T4", "600123", "2026-11-23", "--class", "01"], "T4 不区分证券类别"),
    (["T1", "600123", "2026-11-23", "--format", "xls"], "文件格式“xls”无效"),
    (["T1", "600123", "2026-11-23", "--market", "HK"], "市场“HK”无效"),
    (["T6", "600123", "2026-11-23"], "不是债券，T6 债券回购质押明细仅适用于债券"),
    (["B", "600123", "2026-11-23"], "不是B股，不能生成B股全体名册"),
    (["T4", "600123", "2026-11-23"], "无约定购回明细"),
    (["T5", "600123", "2026-11-23"], "无担保证券账户明细"),
    (["T1", "600123", "2026-11-23", "--class", "02"], "无非流通股持有人"),
]


@pytest.fixture
def cli(app):
    with app.app_context():
        w = World()
        w.holder("张三", "110101199001010011", 1000)
        db.session.commit()
    return app.test_cli_runner()


@pytest.mark.parametrize("args,message", CASES)
def test_bad_input_is_refused_with_exit_2_and_no_file(cli, tmp_path, args, message):
    result = cli.invoke(args=["issuer", "register", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.startswith("错误：")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_directory(cli, tmp_path):
    result = cli.invoke(args=["issuer", "register", "T1", "600123", "2026-11-23",
                              "--out", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "输出目录" in result.output and "不存在" in result.output


def test_an_ambiguous_code_needs_the_market(cli, app, tmp_path):
    with app.app_context():
        w = World(code="600123", first=100)
        w.security.market = "SZ"
        w.units[0].code, w.units[1].code = "41000", "41001"
        w.broker.code = "TB2"
        w.holder("李四", "110101199001010022", 10)
        db.session.commit()
    result = cli.invoke(args=["issuer", "register", "T1", "600123", "2026-11-23",
                              "--out", str(tmp_path)])
    assert result.exit_code == 2 and "在多个市场存在，请指定市场" in result.output
    result = cli.invoke(args=["issuer", "register", "T1", "600123", "2026-11-23",
                              "--out", str(tmp_path), "--market", "sz"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["t16001230320261123all.b24"]
