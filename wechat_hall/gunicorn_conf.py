"""gunicorn settings for the hall: ``gunicorn -c python:wechat_hall.gunicorn_conf wsgi:app``.

Only what the hall itself needs; workers, threads and the address stay on the command
line (the Procfile, docs/DEPLOYMENT.md). With ``PROMETHEUS_MULTIPROC_DIR`` set, a worker
that exits has its files marked dead so its live values stop counting (prometheus-client
multiprocess mode); its counters stay summed, as counters must.
"""
import os

worker_class = "gthread"
# The app writes its own JSON request line (wechat_hall.telemetry.web): no access log.
accesslog = None
# gunicorn 27's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): several
# servers on one host (the cluster test, a scaled Procfile) would fight over it.
control_socket_disable = True


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
