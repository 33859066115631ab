"""The T1 holder-register reader (seed 002): DBF via dbfread, CSV, all-or-nothing."""
from datetime import date
from decimal import Decimal

import pytest

from wechat_hall.adapters import holder_register as t1

ROWS = [
    {"ZQDM": "600001", "ZQZH": "A312600024", "HSTMC": "王安", "HSTZJLB": "01",
     "HSTZJHM": "211103198603040003", "HSTCYRLB": "1000", "CYSL": 12000, "ZQLB": "PT",
     "LTLX": "0", "QYLB": "HL", "HSTTXDZ": "上海市浦东新区世纪大道1号", "HSTYZBM": "200120",
     "HSTDH": "18900000024"},
    {"ZQDM": "600001", "ZQZH": "B882000001", "HSTMC": "上海浦江资产管理有限公司",
     "HSTZJLB": "02", "HSTZJHM": "91310115MA1FL2Q751", "HSTCYRLB": "2000", "CYSL": 3500000,
     "ZQLB": "PT", "LTLX": "0", "QYLB": "HL", "HSTTXDZ": "", "HSTYZBM": "", "HSTDH": ""},
]


def test_dbf_round_trip_with_chinese_text(tmp_path):
    path = t1.write_dbf(tmp_path / "t16000010320261120all.b21", ROWS)
    seen = []
    rows = t1.read_register(path, progress=lambda done, total: seen.append((done, total)))
    assert [r.account for r in rows] == ["A312600024", "B882000001"]
    assert rows[0].name == "王安" and rows[0].quantity == Decimal(12000)
    assert rows[0].natural_person and not rows[1].natural_person
    assert rows[1].name == "上海浦江资产管理有限公司"
    assert seen[-1] == (2, 2)


def test_csv_with_the_same_columns(tmp_path):
    path = tmp_path / "t1.csv"
    header = ",".join(t1.REQUIRED + t1.OPTIONAL)
    lines = [header] + [",".join(str(r.get(k, "")) for k in t1.REQUIRED + t1.OPTIONAL)
                        for r in ROWS]
    path.write_text("\n".join(lines), encoding="utf-8")
    rows = t1.read_register(path)
    assert len(rows) == 2 and rows[1].quantity == Decimal(3500000)


def test_a_bad_record_refuses_the_whole_file(tmp_path):
    bad = [ROWS[0], {**ROWS[1], "ZQZH": "XYZ"}, {**ROWS[1], "HSTCYRLB": "9999"}]
    path = t1.write_dbf(tmp_path / "bad.dbf", bad)
    with pytest.raises(t1.RegisterError) as info:
        t1.read_register(path)
    assert info.value.errors[0].startswith("第 2 条记录") and "第 3 条记录" in info.value.errors[1]


@pytest.mark.parametrize("content", [b"", b"not a dbf at all", b"\x03" + b"\x00" * 40])
def test_junk_files_are_refused_cleanly(tmp_path, content):
    path = tmp_path / "junk.dbf"
    path.write_bytes(content)
    with pytest.raises(t1.RegisterError):
        t1.read_register(path)


def test_missing_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("ZQDM,ZQZH\n600001,A312600024\n", encoding="utf-8")
    with pytest.raises(t1.RegisterError, match="HSTMC"):
        t1.read_register(path)


def test_file_name_convention():
    name = t1.parse_filename("t16000010320170418all.420")
    assert name == t1.RegisterFileName("t1", "600001", "03", date(2017, 4, 18), "all")
    assert t1.parse_filename("t26030880120161230t50.c30").extent == "t50"
    assert t1.parse_filename("holders.dbf") is None
    assert t1.parse_filename("t16000010320171332all.420") is None
