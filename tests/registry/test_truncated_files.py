"""Files cut short are refused whole (issue 13, item 10): the T1 register (DBF whose
header says 7 records but which holds 3, a missing end marker, a CSV cut mid-line), the
trade feed, the registry data sets and the voting Excel upload. Nothing is written."""
import io

import pytest

from models import HoldingChange
from tests.queries.conftest import registry  # noqa: F401  (the fixture)
from tests.queries.test_imports import count, invoke, write
from tests.registry.test_holder_register import ROWS
from wechat_hall.adapters import holder_register as t1
from wechat_hall.adapters import tradefeed
from wechat_hall.services.voting import split_excel

SEVEN = [dict(ROWS[i % 2], ZQZH=f"A31260{i:04d}") for i in range(7)]


def _cut_dbf(tmp_path, keep_records=None, drop_marker=False):
    path = t1.write_dbf(tmp_path / "t16000010320261120all.b21", SEVEN)
    data = path.read_bytes()
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    if keep_records is not None:
        data = data[:header_len + keep_records * record_len]
    elif drop_marker:
        data = data[:-1]
    path.write_bytes(data)
    return path


def test_a_whole_dbf_reads_all_seven(tmp_path):
    assert len(t1.read_register(_cut_dbf(tmp_path))) == 7


def test_a_dbf_cut_after_three_of_seven_records_is_refused(tmp_path):
    with pytest.raises(t1.RegisterError) as info:
        t1.read_register(_cut_dbf(tmp_path, keep_records=3))
    assert "文件头记载 7 条记录，文件只含 3 条完整记录" in info.value.errors[0]


def test_a_dbf_cut_inside_a_record_is_refused(tmp_path):
    path = _cut_dbf(tmp_path)
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(t1.RegisterError, match="文件不完整"):
        t1.read_register(path)


def test_a_dbf_without_its_end_marker_is_refused(tmp_path):
    with pytest.raises(t1.RegisterError, match="0x1A"):
        t1.read_register(_cut_dbf(tmp_path, drop_marker=True))


def test_the_cut_t1_is_refused_by_the_import_command_and_nothing_is_written(
        app, registry, tmp_path):  # noqa: F811
    before = count(app, HoldingChange)
    result = invoke(app, "t1", str(_cut_dbf(tmp_path, keep_records=3)))
    assert result.exit_code != 0 and "文件头记载 7 条记录" in result.output
    assert count(app, HoldingChange) == before


def test_a_t1_csv_cut_mid_line_is_refused(tmp_path):
    columns = t1.REQUIRED + t1.OPTIONAL
    lines = [",".join(columns)] + [",".join(str(r.get(k, "")) for k in columns) for r in SEVEN]
    text = "\n".join(lines)
    path = tmp_path / "t1.csv"
    path.write_text(text[:text.index(lines[4]) + 30], encoding="utf-8")
    with pytest.raises(t1.RegisterError, match="第 5 行只有"):
        t1.read_register(path)


def test_a_trade_feed_cut_mid_line_is_refused(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(",".join(tradefeed.COLUMNS) + "\n"
                    "2026-11-20,A278900271,799991,B,6.00,100,GTJA,1\n"
                    "2026-11-20,A278900271,7999", encoding="utf-8")
    with pytest.raises(tradefeed.FeedError, match="第 3 行只有 3 列"):
        tradefeed.read_orders(path)


def test_a_registry_data_set_cut_mid_line_writes_nothing(app, registry, tmp_path):  # noqa: F811
    path = write(tmp_path, "changes.csv",
                 "ref,account,code,unit,trade_date,kind,quantity\n"
                 "X1,A312600024,600036,00000,2026-10-09,buy,100\n"
                 "X2,A312600024,600036,00000,2026-10-")
    before = count(app, HoldingChange)
    result = invoke(app, "changes", path)
    assert result.exit_code != 0 and "文件不完整：第 3 行只有 5 列（应为 7 列）" in result.output
    assert count(app, HoldingChange) == before


def test_a_voting_excel_cut_short_is_refused(tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "投票明细"
    sheet.append(list(split_excel.FIXED))
    for i in range(200):
        sheet.append([f"A3126{i:05d}", "王安", 100])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with pytest.raises(split_excel.UploadInvalid, match="不是有效的 Excel"):
        split_excel.parse_xlsx(None, None, data[:len(data) // 2])
