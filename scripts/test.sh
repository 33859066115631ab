#!/usr/bin/env bash
# The whole suite, twice: embedded (SQLite file, fakeredis, in-process jobs) and against
# the real PostgreSQL and Redis. Without them the second pass is skipped with a notice,
# unless REQUIRE_SERVICES=1 (CI), which turns their absence into a failure.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
which="${1:-all}"
PG_URL="${HALL_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
REDIS="${HALL_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
status=0

services_up() {
  $PY - "$PG_URL" "$REDIS" <<'PY'
import sys
import redis
import sqlalchemy
try:
    with sqlalchemy.create_engine(sys.argv[1]).connect() as conn:
        conn.execute(sqlalchemy.text("select 1"))
    redis.Redis.from_url(sys.argv[2], socket_connect_timeout=2).ping()
except Exception as exc:
    print(f"services unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

if [ "$which" = all ] || [ "$which" = embedded ]; then
  echo "== tests: embedded (SQLite + in-process jobs) =="
  env -u HALL_TEST_DATABASE_URL -u HALL_TEST_REDIS_URL $PY -m pytest tests -m "not browser" || status=1
fi

if [ "$which" = all ] || [ "$which" = services ]; then
  if services_up; then
    echo "== tests: PostgreSQL + Redis (and browser tests) =="
    HALL_TEST_DATABASE_URL="$PG_URL" HALL_TEST_REDIS_URL="$REDIS" $PY -m pytest tests || status=1
  elif [ "${REQUIRE_SERVICES:-0}" = 1 ]; then
    echo "PostgreSQL or Redis is not reachable and REQUIRE_SERVICES=1" >&2
    status=1
  else
    echo "!! PostgreSQL ($PG_URL) or Redis ($REDIS) not reachable: skipped the second pass"
  fi
fi
exit $status
