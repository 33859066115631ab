"""`flask registry import DATASET FILE`: the registrar's data files (docs/QUERIES.md)."""
import click
from flask.cli import AppGroup

from .refusal import Refused

group = AppGroup("registry", help="登记数据导入（证券、托管单元、持有变更、冻结、新股、分红、T1名册）。")

DATASETS = ["securities", "units", "changes", "freezes", "ipo", "dividends", "t1"]


class Progress:
    """A click progress bar that learns its length from the first call."""

    def __init__(self, label):
        self.label, self.bar, self.done = label, None, 0

    def __call__(self, done, total):
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=None)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@group.command("import")
@click.argument("dataset", type=click.Choice(DATASETS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--record-date", help="T1 名册的权益登记日（YYYY-MM-DD），文件名不符合命名规则时使用")
def import_cmd(dataset, path, record_date):
    """Import one file; all or nothing; re-importing the same file changes nothing."""
    from wechat_hall.extensions import db
    from wechat_hall.services.queries import imports
    from wechat_hall.services.queries.imports import ImportRefused
    progress = Progress("检查")
    try:
        if dataset == "t1":
            try:
                day = imports.parse_day(record_date)
            except ValueError:
                raise Refused("--record-date 应为 YYYY-MM-DD", exit_code=2)
            result = imports.import_t1(path, day, progress)
        else:
            result = imports.import_csv(dataset, path, progress)
        db.session.commit()
    except ImportRefused as exc:
        db.session.rollback()
        progress.close()
        for line in exc.errors:
            click.echo(line, err=True)
        raise Refused(f"文件未导入：共 {len(exc.errors)} 处错误，未写入任何数据。")
    progress.close()
    click.echo(f"读取 {result.rows} 行：新增 {result.added}，更新 {result.updated}，"
               f"未变 {result.unchanged}。")
