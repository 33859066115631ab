"""Register files (ISS-1): the seed's file names for every type and month, DBF read back
by an independent reader (dbfread) in GBK, .xlsx and CSV contents, through the operators'
command `flask issuer register`."""
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from dbfread import DBF
from openpyxl import load_workbook

from tests.issuers.ledger_world import DAY, World
from wechat_hall.adapters.holder_register import parse_filename, read_register
from wechat_hall.extensions import db
from wechat_hall.services.issuers.file_names import register_file_name

MONTHS = "123456789abc"


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("kind", ["T1", "T2", "T3", "T4", "T5", "T6", "B"])
def test_file_names_every_type_and_month(kind, month):
    sent = date(2026, month, 28 if month == 2 else 30)
    top = 50 if kind in ("T2", "T3") else None
    name = register_file_name(kind, "603088", date(2026, month, 2), "01", top, sent)
    prefix = "t1" if kind == "B" else kind.lower()
    xx = "" if prefix in ("t4", "t5", "t6") else "01"
    extent = "t50" if top else "all"
    assert name == f"{prefix}603088{xx}2026{month:02d}02{extent}.{MONTHS[month - 1]}{sent.day}"
    meta = parse_filename(name)
    assert (meta.kind, meta.security_code, meta.scope, meta.record_date, meta.extent) == (
        prefix, "603088", xx, date(2026, month, 2), extent)


def test_the_seeds_examples():
    assert register_file_name("T1", "600001", date(2017, 4, 18), "03",
                              sent_on=date(2017, 4, 20)) == "t16000010320170418all.420"
    assert register_file_name("T2", "603088", date(2016, 12, 30), "01", 50,
                              sent_on=date(2016, 12, 30)) == "t26030880120161230t50.c30"


@pytest.fixture
def ledger_app(app):
    with app.app_context():
        w = World()
        w.holder("欧阳娜娜", "110101199001010011", 1200, category="1000",
                 address="北京市朝阳区建国路88号（国贸）")
        w.holder("上海长江投资有限公司", "91310000MA1K00001X", 98765, id_type="uscc",
                 institution=True, category="2100", address="上海市浦东新区世纪大道1号")
        w.holder("𠀀字号", "110101199001010022", 7)  # a name outside GBK
        db.session.commit()
    return app


def _register(runner, tmp_path, *args):
    return runner.invoke(args=["issuer", "register", *args, "--out", str(tmp_path)])


def test_t1_dbf_reads_back_in_gbk(ledger_app, tmp_path):
    runner = ledger_app.test_cli_runner()
    result = _register(runner, tmp_path, "T1", "600123", DAY.isoformat())
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.name == "t16001230320261123all.b24"
    assert list(tmp_path.iterdir()) == [path]
    table = DBF(str(path), encoding="gbk", char_decode_errors="strict")
    assert table.field_names[:7] == ["ZQDM", "ZQZH", "HSTMC", "HSTZJLB", "HSTZJHM",
                                     "HSTCYRLB", "CYSL"]
    records = list(table)
    assert len(records) == len(table) == 3
    first = records[0]
    assert (first["ZQDM"], first["ZQZH"], first["HSTMC"], first["CYSL"]) == (
        "600123", "A000000001", "欧阳娜娜", 1200)
    assert first["HSTTXDZ"] == "北京市朝阳区建国路88号（国贸）"
    assert (first["HSTZJLB"], first["HSTCYRLB"], first["LTLX"], first["TGDY"]) == (
        "居民身份证", "1000", "0", "31000")
    assert records[1]["HSTCYRLB"] == "2100" and records[1]["CYSL"] == 98765
    assert records[2]["HSTMC"] == "?字号"
    # The hall's own T1 reader (V-2's import) takes the generated file as a received one.
    rows = read_register(path)
    assert [(r.account, r.quantity) for r in rows] == [("A000000001", 1200),
                                                       ("A000000002", 98765),
                                                       ("A000000003", 7)]


def test_t2_xlsx_and_csv(ledger_app, tmp_path):
    runner = ledger_app.test_cli_runner()
    result = _register(runner, tmp_path, "T2", "600123", "2026-11-23", "--top", "2",
                       "--format", "xlsx")
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.name == "t26001230320261123t2.b24.xlsx"
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("XH", "ZQDM", "YMTH", "ZQZH", "ZHSL", "HSTMC")
    assert rows[1][:3] == ("序号", "证券代码", "一码通账户")
    assert [(r[0], r[5], r[9]) for r in rows[2:]] == [(1, "上海长江投资有限公司", 98765),
                                                     (2, "欧阳娜娜", 1200)]
    result = _register(runner, tmp_path, "T3", "600123", "2026-11-23", "--format", "csv",
                       "--class", "01")
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.name == "t36001230120261123all.b24.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [(r["HSTMC"], r["CYSL"], r["CYBL"]) for r in table] == [
        ("上海长江投资有限公司", "98765", "98.7927"), ("欧阳娜娜", "1200", "1.2003"),
        ("𠀀字号", "7", "0.0070")]


def test_dbf_text_is_cut_on_a_character_boundary_and_numbers_right_aligned(tmp_path):
    from wechat_hall.adapters.register_files import DbfWriter, Field
    path = tmp_path / "cut.dbf"
    writer = DbfWriter(path, [Field("MC", "C", 5), Field("SL", "N", 6), Field("BL", "N", 7, 2)])
    writer.write(("中文字", 12, Decimal("3.456")))
    writer.write(("ab", None, Decimal(0)))
    writer.close()
    raw = path.read_bytes()
    assert raw[4:8] == (2).to_bytes(4, "little")  # the record count, patched on close
    assert "中文 ".encode("gbk") + b"    12   3.46" in raw
    records = list(DBF(str(path), encoding="gbk", char_decode_errors="strict"))
    assert [(r["MC"], r["SL"], float(r["BL"])) for r in records] == [("中文", 12, 3.46),
                                                                     ("ab", None, 0.0)]


def test_xlsx_goes_on_in_a_second_sheet_past_the_sheet_limit(tmp_path, monkeypatch):
    from wechat_hall.adapters import register_files
    monkeypatch.setattr(register_files, "XLSX_MAX_ROWS", 5)  # 2 header rows + 3 rows a sheet
    path = tmp_path / "big.xlsx"
    writer = register_files.XlsxWriter(path, [register_files.Field("N", "N", 4, label="序号")],
                                       "T1")
    for n in range(7):
        writer.write((n,))
    writer.close()
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["T1", "T12", "T13"]
    values = [row[0] for sheet in book for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert values == list(range(7))
