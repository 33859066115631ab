"""gunicorn's settings for the hall: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Command-line options (``-w``, ``-b`` …) override these. The access log leaves out the
query string and the referrer: /wechat's ``signature``, ``timestamp``, ``nonce`` and
``msg_signature``, OAuth codes and ``next`` targets must not pile up in log files
(docs/SECURITY.md, forged pushes).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# %(U)s is the path without the query; %(r)s (the request line) and %(q)s would keep it.
access_log_format = '%(h)s %(t)s [%(p)s] "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
