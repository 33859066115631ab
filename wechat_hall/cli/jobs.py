"""`flask jobs worker | scheduler | dispatch | list` (P-7)."""
import click
from flask import current_app
from flask.cli import AppGroup

from models import OutboxJob
from wechat_hall.extensions import db
from wechat_hall.jobs import queue, scheduler

from .refusal import Refused

group = AppGroup("jobs", help="后台任务：worker、定时调度、补发。")


@group.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列后退出")
def worker_cmd(burst):
    """An RQ worker for the high, default and low queues (needs REDIS_URL)."""
    from wechat_hall.jobs.worker import make_worker
    app = current_app._get_current_object()
    if not app.extensions.get("job_queues"):
        raise Refused("未配置 REDIS_URL：嵌入模式下任务在 Web 进程内执行，无需 worker。")
    # Take up the jobs of workers that died (their leases ran out) before working.
    queue.dispatch_pending(app)
    # Our job line (wechat_hall.jobs.runner) says what RQ's per-job INFO lines say.
    level = "WARNING" if app.config["LOG_FORMAT"] == "json" else "INFO"
    make_worker(app).work(burst=burst, with_scheduler=False, logging_level=level)


@group.command("scheduler")
@click.option("--once", is_flag=True, help="只执行一轮")
def scheduler_cmd(once):
    """Timed jobs and the outbox dispatcher, once per interval across all schedulers."""
    app = current_app._get_current_object()
    if once:
        click.echo("执行：" + ", ".join(scheduler.tick(app)))
        return
    click.echo("调度器已启动（Ctrl+C 退出）")
    scheduler.run_forever(app)


@group.command("dispatch")
def dispatch_cmd():
    """Deliver pending outbox rows now."""
    n = queue.dispatch_pending(current_app._get_current_object())
    queue.drain()
    click.echo(f"已投递 {n} 个任务")


@group.command("list")
@click.option("--status", default=None)
def list_cmd(status):
    stmt = db.select(OutboxJob).order_by(OutboxJob.id.desc()).limit(50)
    if status:
        stmt = stmt.filter_by(status=status)
    for row in db.session.execute(stmt).scalars():
        click.echo(f"{row.id:>6} {row.status:<8} {row.func:<28} 尝试{row.attempts} {row.error or ''}".rstrip())
