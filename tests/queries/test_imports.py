"""`flask registry import …`: all or nothing, bad lines by number, idempotent re-import,
and the T1 register reconciling the ledger (Q-2 data)."""
from datetime import date

from models import Dividend, Freeze, HoldingChange, IpoSubscription, Security
from wechat_hall.adapters.holder_register import write_dbf
from wechat_hall.extensions import db
from wechat_hall.services.queries import holdings

from tests.queries.query_helpers import WANG_ID


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["registry", "import", *args])


def test_securities_then_changes_import_and_reimport(app, registry, tmp_path):
    sec = write(tmp_path, "securities.csv",
                "market,code,name,kind,listed_year\nSH,600000,浦发银行,stock,1999\n"
                "SZ,000002,万科A,stock,1991\n")
    first = invoke(app, "securities", sec)
    assert first.exit_code == 0, first.output
    assert "新增 2" in first.output
    assert "未变 2" in invoke(app, "securities", sec).output
    with app.app_context():
        unit = db.session.execute(db.select(HoldingChange.unit_id).join(
            HoldingChange.account).filter_by(number="A312600024").limit(1)).scalar_one()
        from models import CustodianUnit
        unit_code = db.session.get(CustodianUnit, unit).code
    changes = write(tmp_path, "changes.csv",
                    "ref,account,code,unit,trade_date,seq,kind,quantity\n"
                    f"R1,A312600024,600000,{unit_code},2026-10-09,1,buy,1200\n"
                    f"R2,A312600024,600000,{unit_code},2026-10-12,1,sell,-200\n")
    before = count(app, HoldingChange)
    result = invoke(app, "changes", changes)
    assert result.exit_code == 0, result.output
    assert count(app, HoldingChange) == before + 2
    again = invoke(app, "changes", changes)
    assert again.exit_code == 0 and "未变 2" in again.output
    assert count(app, HoldingChange) == before + 2
    with app.app_context():
        from models import SecuritiesAccount
        acc = db.session.execute(db.select(SecuritiesAccount).filter_by(number="A312600024")
                                 ).scalar_one()
        sec_id = db.session.execute(db.select(Security.id).filter_by(code="600000")).scalar_one()
        at = {k[1]: q for k, q in holdings.balances([acc.id], date(2026, 10, 9)).items()}
        assert at[sec_id] == 1200
        at = {k[1]: q for k, q in holdings.balances([acc.id], date(2026, 10, 12)).items()}
        assert at[sec_id] == 1000


def test_a_bad_line_is_named_and_nothing_is_written(app, registry, tmp_path):
    path = write(tmp_path, "changes.csv",
                 "ref,account,code,unit,trade_date,kind,quantity\n"
                 "X1,A312600024,600036,00000,2026-10-09,buy,100\n"
                 "X2,A999999999,600036,00000,2026-10-09,buy,100\n"
                 "X3,A312600024,600036,00000,2026-13-01,buy,abc\n")
    before = count(app, HoldingChange)
    result = invoke(app, "changes", path)
    assert result.exit_code != 0
    assert "第 2 行" in result.output and "第 3 行：证券账户 A999999999 不存在" in result.output
    assert "第 4 行" in result.output and "未写入任何数据" in result.output
    assert count(app, HoldingChange) == before


def test_a_missing_column_and_a_changed_ref_are_refused(app, registry, tmp_path):
    result = invoke(app, "dividends", write(tmp_path, "d.csv", "market,code\nSH,600036\n"))
    assert result.exit_code != 0 and "缺少列" in result.output
    path = write(tmp_path, "d.csv", "market,code,record_date,ex_date,pay_date,per_share\n"
                 "SH,600036,2026-11-02,2026-11-03,2026-11-03,0.5\n")
    assert invoke(app, "dividends", path).exit_code == 0
    assert count(app, Dividend) > 0
    updated = write(tmp_path, "d2.csv", "market,code,record_date,ex_date,pay_date,per_share\n"
                    "SH,600036,2026-11-02,2026-11-03,2026-11-03,0.6\n")
    assert "更新 1" in invoke(app, "dividends", updated).output


def test_freezes_and_ipo_files(app, registry, tmp_path):
    with app.app_context():
        from models import CustodianUnit
        unit = db.session.execute(db.select(CustodianUnit.code).filter_by(market="SZ")
                                  .limit(1)).scalar_one()
    freezes = write(tmp_path, "f.csv",
                    "ref,account,code,unit,kind,quantity,start_date,end_date,released_on,authority,document\n"
                    f"F1,0312600024,000858,{unit},judicial,100,2026-10-09,2029-10-08,,北京市朝阳区人民法院,（2026）京0105执9号\n"
                    f"F2,0312600024,000858,{unit},frozen,100,2026-10-09,,,某法院,\n")
    result = invoke(app, "freezes", freezes)
    assert result.exit_code != 0 and "第 3 行：kind 不是可用的取值" in result.output
    assert count(app, Freeze) == 3  # the demo's, untouched
    ipo = write(tmp_path, "i.csv",
                "account,code,subscribed_on,subscribe_code,quantity,first_number,number_count,won_count,won_quantity,paid_quantity,pay_date\n"
                "0312600024,002415,2026-09-01,002415,5000,000100200300,10,1,500,600,2026-09-03\n")
    result = invoke(app, "ipo", ipo)
    assert "paid_quantity 大于 won_quantity" in result.output
    assert count(app, IpoSubscription) > 0


def test_t1_register_reconciles_the_ledger(app, registry, tmp_path):
    with app.app_context():
        from models import SecuritiesAccount
        acc = db.session.execute(db.select(SecuritiesAccount).filter_by(number="A312600024")
                                 ).scalar_one()
        day = date(2026, 10, 9)
        sec = db.session.execute(db.select(Security).filter_by(code="600036")).scalar_one()
        plain = [q for k, q in holdings.balances([acc.id], day).items()
                 if k[1] == sec.id and k[5] == ""]  # the class without 权益类别
        held = sum(plain)
        bonus = sum(q for k, q in holdings.balances([acc.id], day).items()
                    if k[1] == sec.id and k[5] == "S")
    assert held > 0
    line = dict(ZQDM="600036", ZQZH="A312600024", HSTMC="王安", HSTZJLB="01",
                HSTZJHM=WANG_ID, HSTCYRLB="1000", CYSL=held + 300, ZQLB="PT", LTLX="0", QYLB="")
    top = tmp_path / "t16000360320261009t100.a10"  # 前100名: only the listed holders
    write_dbf(top, [line])
    result = invoke(app, "t1", str(top))
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output
    with app.app_context():
        after = sum(q for k, q in holdings.balances([acc.id], day).items() if k[1] == sec.id)
        assert after == held + 300 + bonus  # the 送股 class is not in the file: untouched
    assert "未变 1" in invoke(app, "t1", str(top)).output

    # The whole register (03, all): a known holder it does not list holds nothing.
    whole = tmp_path / "t16000360320261009all.a10"
    write_dbf(whole, [line])
    assert invoke(app, "t1", str(whole)).exit_code == 0
    with app.app_context():
        everyone = holdings.balances([a.id for a in db.session.execute(
            db.select(SecuritiesAccount)).scalars()], day)
        holders = {}
        for k, q in everyone.items():
            if k[1] == sec.id:
                holders[k[0]] = holders.get(k[0], 0) + q
        assert holders == {acc.id: held + 300}  # the unlisted 送股 class brought to zero too


def test_t1_with_an_unknown_account_is_refused(app, registry, tmp_path):
    path = tmp_path / "t16000360320261009all.a10"
    write_dbf(path, [dict(ZQDM="600036", ZQZH="A000000001", HSTMC="某人", HSTZJLB="01",
                          HSTZJHM="1", HSTCYRLB="1000", CYSL=5, ZQLB="PT", LTLX="0", QYLB="")])
    before = count(app, HoldingChange)
    result = invoke(app, "t1", str(path))
    assert result.exit_code != 0 and "第 1 条记录：证券账户 A000000001 不存在" in result.output
    assert count(app, HoldingChange) == before
