# 微信营业厅 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export FLASK_APP := wsgi.py

.PHONY: run cluster test test-embedded test-services bench migrate-check clean help

help:
	@echo "make run    — install, migrate, load demo data, serve on 127.0.0.1:$${PORT:-5000}"
	@echo "make cluster — the production shape: gunicorn, job workers, scheduler on PostgreSQL + Redis"
	@echo "make test   — the whole test suite (embedded, then PostgreSQL + Redis when reachable)"
	@echo "make bench  — benchmarks, written to docs/BENCHMARKS.md"

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask demo seed --if-empty
	$(VENV)/bin/flask demo today
	$(PY) -m wechat_hall.serve

cluster: $(VENV)/.installed
	./scripts/cluster.sh

test: $(VENV)/.installed
	./scripts/test.sh

test-embedded: $(VENV)/.installed
	./scripts/test.sh embedded

test-services: $(VENV)/.installed
	./scripts/test.sh services

BENCH_DB    ?= postgresql://postgres@127.0.0.1:5432/test
BENCH_REDIS ?= redis://127.0.0.1:6379/14

bench: $(VENV)/.installed
	$(PY) bench/wechat_throughput.py --database-url $(BENCH_DB) --redis-url $(BENCH_REDIS)
	$(PY) bench/page_weight.py
	$(PY) bench/cs_console.py --database-url $(BENCH_DB) --redis-url $(BENCH_REDIS)
	$(PY) bench/queries_bench.py --database-url $(BENCH_DB)
	$(PY) bench/appointments_bench.py --database-url $(BENCH_DB) --redis-url $(BENCH_REDIS)
	$(PY) bench/vote_bench.py --database-url $(BENCH_DB) --redis-url $(BENCH_REDIS)

clean:
	rm -rf $(VENV) instance/hall.db test-artifacts
