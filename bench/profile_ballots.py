#!/usr/bin/env python
"""Where one ballot spends its time, without gunicorn or concurrency.

    .venv/bin/python bench/profile_ballots.py [--voters 800] [--cprofile] [--sql]

The voters and their confirmed ballots of ``bench/vote_http.py`` (PostgreSQL
``hall_bench_ballots`` beside ``--database-url``, Redis db 11), cast one after another
through the Flask test client of the real app. Prints the mean wall and CPU time per
ballot, with ``--sql`` the statements of one ballot, with ``--cprofile`` the functions by
cumulative time. Drops its database afterwards.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from vote_data import ballot_caster, make_app, prepare_voters  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--voters", type=int, default=800)
    p.add_argument("--cprofile", action="store_true")
    p.add_argument("--sql", action="store_true", help="print the statements of one ballot")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = p.parse_args()
    url, _, cleanup = harness.prepare_database(args.database_url, "hall_bench_ballots")
    try:
        os.environ.update(harness.server_env(url, args.redis_url, 5000))
        harness.create_schema(harness.ROOT, url, args.redis_url)
        app = make_app(url, args.redis_url)
        _, requests = prepare_voters(app, args.voters)
        cast = ballot_caster(app)

        warm, measured = requests[:100], requests[100:]
        for req in warm:
            cast(*req)
        if args.sql:
            seen = harness.statements_of(app, lambda: cast(*measured.pop()))
            print(f"{len(seen)} statements in one ballot:")
            for statement in seen:
                print("  ", statement[:160])
        wall, cpu = harness.timed_per_item(measured, cast, args.cprofile, top=45)
        print(f"{len(measured)} ballots: {wall:.2f} ms wall, {cpu:.2f} ms CPU each "
              "(this process; PostgreSQL's own time not included in CPU)")
        harness.close_connections(app)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
