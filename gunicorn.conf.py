"""gunicorn's settings for the hall: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Command-line options (``-w``, ``-b`` …) override these. The access log leaves out the
query string and the referrer: /wechat's ``signature``, ``timestamp``, ``nonce`` and
``msg_signature``, OAuth codes and ``next`` targets must not pile up in log files
(docs/SECURITY.md, forged pushes). With ``LOG_FORMAT=json`` the app writes its own line
per request (wechat_hall/telemetry/web.py): set ``GUNICORN_ACCESS_LOG=`` (empty) to turn
gunicorn's off. With ``PROMETHEUS_MULTIPROC_DIR`` set, a worker that exits has its metric
files marked dead so its live values stop counting (prometheus-client multiprocess mode);
its counters stay summed, as counters must.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# %(U)s is the path without the query; %(r)s (the request line) and %(q)s would keep it.
access_log_format = '%(h)s %(t)s [%(p)s] "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
# gunicorn 27's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): several
# servers on one host (the cluster test, a scaled Procfile) would fight over it.
control_socket_disable = True


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
