"""`flask vote …`: the meeting register import (V-2), the receipt-chain check and the
tally export (V-9)."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from models import VoteMeeting
from wechat_hall.adapters.holder_register import RegisterError
from wechat_hall.extensions import db
from wechat_hall.services.voting import receipts, register, tally

from .refusal import Refused

group = AppGroup("vote", help="持有人会议网络投票。")


def _meeting(meeting_id):
    meeting = db.session.get(VoteMeeting, meeting_id)
    if meeting is None:
        raise Refused(f"会议 {meeting_id} 不存在")
    return meeting


class _Progress:
    """click.progressbar, opened once the reader knows how many records there are."""

    def __init__(self):
        self.bar, self.done = None, 0

    def __call__(self, done, total):
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label="读取名册", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@group.command("import-register")
@click.argument("meeting_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--under", default="", help="导入该信用/名义持有人账户的明细持有人")
def import_register_cmd(meeting_id, path, under):
    """导入权益登记日持有人名册（T1，DBF 或 CSV）。"""
    meeting = _meeting(meeting_id)
    progress = _Progress()
    try:
        records, accounts = register.import_register(meeting, path, under, progress)
    except RegisterError as exc:
        db.session.rollback()
        progress.close()
        for line in exc.errors[:50]:
            click.echo(line, err=True)
        if len(exc.errors) > 50:
            click.echo(f"……共 {len(exc.errors)} 处错误", err=True)
        raise Refused("名册未导入，未做任何修改。")
    progress.close()
    what = f"{under} 的明细持有人" if under else "持有人名册"
    click.echo(f"已导入{what}：{records} 条记录，{accounts} 个证券账户。")


@group.command("verify-chain")
@click.argument("meeting_id", type=int)
def verify_chain_cmd(meeting_id):
    """核验会议全部选票的回执链。"""
    _meeting(meeting_id)
    result = receipts.verify(meeting_id)
    if result.ok:
        click.echo(f"回执链完整：{result.ballots} 张选票均与回执一致。")
        return
    for line in result.errors:
        click.echo(line, err=True)
    raise Refused(f"回执链校验失败：{len(result.errors)} 处不一致。")


@group.command("export")
@click.argument("meeting_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_cmd(meeting_id, out):
    """导出投票结果（.xlsx 含投票记录，或 .csv）；投票结束后方可导出。"""
    meeting = _meeting(meeting_id)
    result = tally.published(meeting)
    if result is None:
        raise Refused("投票尚未结束，投票结束后方可导出结果。")
    data = (tally.export_csv(result) if out.suffix.lower() == ".csv"
            else tally.export_xlsx(result))
    out.write_bytes(data)
    click.echo(f"已导出 {result.ballots} 张选票的统计结果到 {out}")
