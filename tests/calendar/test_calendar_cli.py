"""`flask calendar check` and `flask calendar import` as an operator types them."""
from datetime import date

from models import CalendarNoticeDay
from wechat_hall.extensions import db

from tests.calendar.notice_files import NOTICE_2027, write


def check(runner, day):
    return runner.invoke(args=["calendar", "check", day])


def notice_rows(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(CalendarNoticeDay.id))).scalar_one()


def test_check_names_the_verdict_and_the_source_that_decided(runner):
    result = check(runner, "2027-01-01")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2027-01-01 周五：营业厅休息（元旦）",
        "依据：《全国年节及纪念日放假办法》法定节假日（python-holidays 0.109）",
        "交易日：否"]
    out = check(runner, "2026-10-01").output
    assert "营业厅休息（国庆节）" in out and "依据：国务院节假日安排（chinese-calendar 收录）" in out
    out = check(runner, "2026-10-10").output
    assert "营业厅开放（调休上班）" in out and "交易日：否" in out
    out = check(runner, "2027-03-10").output
    assert "营业厅开放" in out and "依据：周末规则" in out and "交易日：是" in out
    out = check(runner, "2027-02-09").output
    assert "营业厅休息（春节补假）" in out and "待定：2027年节假日安排尚未公布" in out


def test_check_refuses_a_date_it_cannot_read(runner):
    for bad in ("2027-13-01", "tomorrow", "2027/01/01", ""):
        result = check(runner, bad)
        assert result.exit_code == 2 and "应为 YYYY-MM-DD" in result.output
        assert "Error" not in result.output and "Traceback" not in result.output


def test_import_loads_a_notice_and_check_follows_it(app, runner, tmp_path):
    path = write(tmp_path)
    result = runner.invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 2027 年节假日安排：放假 29 天，调休上班 4 天。" in result.output
    out = check(runner, "2027-02-20").output
    assert "营业厅开放（春节调休上班）" in out and "依据：国务院节假日安排通知（已导入）" in out
    assert "待定" not in out
    assert "营业厅休息（劳动节）" in check(runner, "2027-05-05").output
    # Again: the same rows, no duplicates.
    assert runner.invoke(args=["calendar", "import", str(path)]).exit_code == 0
    assert notice_rows(app) == 33
    # A corrected notice replaces the year's rows.
    fixed = write(tmp_path, NOTICE_2027.replace("2027-09-26,workday,国庆节调休上班\n", ""),
                  "fixed.csv")
    assert runner.invoke(args=["calendar", "import", str(fixed)]).exit_code == 0
    assert notice_rows(app) == 32
    assert "营业厅休息" in check(runner, "2027-09-26").output  # a Sunday again


def test_an_excel_saved_or_gb18030_file_is_read(app, runner, tmp_path):
    bom = write(tmp_path, "\ufeff" + NOTICE_2027, "bom.csv")
    assert runner.invoke(args=["calendar", "import", str(bom)]).exit_code == 0
    gbk = write(tmp_path, NOTICE_2027.replace("holiday", "放假").replace("workday", "上班"),
                "gbk.csv", encoding="gb18030")
    result = runner.invoke(args=["calendar", "import", str(gbk)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session.execute(db.select(CalendarNoticeDay).filter_by(
            day=date(2027, 2, 20))).scalar_one()
        assert (row.kind, row.name, row.source) == ("workday", "春节调休上班", "gbk.csv")


def test_a_bad_file_is_refused_whole_with_every_fault(app, runner, tmp_path):
    text = NOTICE_2027 + "\n".join([
        "2027-02-30,holiday,春节",          # no such date
        "2027-06-10,vacation,端午节",       # unknown kind
        "2027-06-11,workday,端午节调休上班",  # a Friday cannot be worked "instead"
        "2027-01-01,holiday,元旦",          # twice
        "2027-07-01",                       # one column
    ]) + "\n"
    result = runner.invoke(args=["calendar", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    out = result.output
    assert "第 35 行：日期“2027-02-30”应为 YYYY-MM-DD。" in out
    assert "第 36 行：类型“vacation”应为 holiday（放假）或 workday（调休上班）。" in out
    assert "第 37 行：2027-06-11 是工作日，调休上班只会安排在周六或周日。" in out
    assert "第 38 行：2027-01-01 与第 2 行重复。" in out
    assert "第 39 行：应为 日期,类型,名称 三列。" in out
    assert "文件未导入：共 5 处错误，未写入任何数据。" in out
    assert "Error" not in out and notice_rows(app) == 0


def test_a_notice_missing_a_statutory_day_is_refused(app, runner, tmp_path):
    """A cut-off file, or last year's notice with the year changed, fails the law."""
    text = NOTICE_2027.replace("2027-06-09,holiday,端午节\n", "").replace(
        "2027-02-05,holiday,春节", "2027-02-05,workday,春节")  # 除夕 is a Friday as well
    result = runner.invoke(args=["calendar", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "2027-06-09（端午节）是法定节假日，通知中应列为放假（文件中没有这一天）。" in result.output
    assert "2027-02-05 是工作日，调休上班只会安排在周六或周日" in result.output
    assert notice_rows(app) == 0
    for junk in (b"", b"\x00\x01\x02", b"\xff\xfe\x00garbage"):
        path = tmp_path / "junk.csv"
        path.write_bytes(junk)
        result = runner.invoke(args=["calendar", "import", str(path)])
        assert result.exit_code == 1 and "未写入任何数据" in result.output, result.output
    missing = runner.invoke(args=["calendar", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "无法读取文件" in missing.output
    assert notice_rows(app) == 0
