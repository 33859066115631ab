#!/usr/bin/env bash
# `make cluster`: the production shape on this machine, on the local PostgreSQL and Redis.
# gunicorn (WEB_WORKERS × WEB_THREADS) on 127.0.0.1:${PORT:-5000}, CLUSTER_WORKERS RQ job
# workers and CLUSTER_SCHEDULERS schedulers, started together by honcho from the Procfile;
# Ctrl+C stops them all (RQ's warm shutdown: a running job finishes first).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi.py
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/hall}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORT="${PORT:-5000}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
export HALL_INPROCESS_WORKER=0
# prometheus-client's multiprocess mode: one directory for every process, empty at start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/instance/prometheus}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

# The database named in DATABASE_URL, created when it is missing.
.venv/bin/python - "$DATABASE_URL" <<'PY'
import sys
import psycopg2
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
if url.get_backend_name() != "postgresql":
    sys.exit("make cluster runs on PostgreSQL: set DATABASE_URL=postgresql://…")
conn = psycopg2.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                        user=url.username, password=url.password, dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
    if cur.fetchone() is None:
        cur.execute(f'CREATE DATABASE "{url.database}"')
        print(f"created database {url.database}")
conn.close()
PY
.venv/bin/flask db upgrade
.venv/bin/flask demo seed --if-empty
.venv/bin/flask demo today
echo "微信营业厅 cluster: http://127.0.0.1:$PORT/h5/  /sim/  /metrics  /healthz (Ctrl+C stops all)"
exec .venv/bin/honcho start -f Procfile -p "$PORT" \
  -c "web=1,worker=${CLUSTER_WORKERS:-2},scheduler=${CLUSTER_SCHEDULERS:-1}"
