#!/usr/bin/env python
"""What Flask's request hooks cost a ballot: the same ballots with groups of hooks taken
out, alternated, in one process.

    .venv/bin/python bench/ablate_ballot_hooks.py [--voters 5200] [--per-variant 80]
        [--rounds 10] [--database-url postgresql://postgres@127.0.0.1:5432/test]

The voters and their confirmed ballots of ``bench/vote_http.py`` (PostgreSQL
``hall_bench_ballots`` beside ``--database-url``, Redis db 11), cast through the Flask
test client of the real app. Each variant removes some before- and after-request hooks
(ours and the extensions') from the app and casts ``--per-variant`` new ballots; the
variants take turns for ``--rounds`` rounds, and the median CPU per ballot of each is
printed. A profiler that times every Python call overstates cheap hooks; this does
not. A tool for the profile, not a benchmark: it writes nothing. A variant without the
CSRF or the request guard is not safe: it exists only in this process.
"""
import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from vote_data import ballot_caster, make_app, prepare_voters  # noqa: E402

# label → substrings of the hooks' qualified names that the variant leaves out
VARIANTS = [
    ("every hook", ()),
    ("no hook", ("",)),
    ("without Talisman", ("Talisman",)),
    ("without the request line", ("_start", "_finish")),
    ("without the guard and CSRF", ("check_request", "csrf_protect")),
    ("without limiter, login, cache headers", ("Limiter", "_update_remember", "_no_store",
                                               "_let_simulator")),
]


def _name(fn):
    return getattr(fn, "__qualname__", None) or repr(fn)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--voters", type=int, default=5200)
    p.add_argument("--per-variant", type=int, default=80)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = p.parse_args()
    needed = 100 + args.per_variant * args.rounds * len(VARIANTS)
    if args.voters < needed:
        p.error(f"--voters must be at least {needed} (one ballot each)")
    url, _, cleanup = harness.prepare_database(args.database_url, "hall_bench_ballots")
    try:
        os.environ.update(harness.server_env(url, args.redis_url, 5000))
        harness.create_schema(harness.ROOT, url, args.redis_url)
        app = make_app(url, args.redis_url)
        logging.getLogger("hall.request").setLevel(logging.WARNING)  # no line to stdout
        _, requests = prepare_voters(app, args.voters)
        cast = ballot_caster(app)

        for req in requests[:100]:
            cast(*req)
        before = list(app.before_request_funcs.get(None, []))
        after = list(app.after_request_funcs.get(None, []))
        print("before-request:", ", ".join(map(_name, before)))
        print("after-request: ", ", ".join(map(_name, after)))
        rest, results = iter(requests[100:]), {label: [] for label, _ in VARIANTS}
        for _ in range(args.rounds):
            for label, drop in VARIANTS:
                keep = lambda fn: not any(d in _name(fn) for d in drop)  # noqa: E731
                app.before_request_funcs[None] = [fn for fn in before if keep(fn)]
                app.after_request_funcs[None] = [fn for fn in after if keep(fn)]
                batch = [next(rest) for _ in range(args.per_variant)]
                c0 = time.process_time()
                for req in batch:
                    cast(*req)
                results[label].append((time.process_time() - c0) / len(batch) * 1000)
        app.before_request_funcs[None], app.after_request_funcs[None] = before, after
        for label, values in results.items():
            values.sort()
            print(f"  {label:40s} median {values[len(values) // 2]:.3f}  "
                  f"min {values[0]:.3f} ms CPU/ballot")
        harness.close_connections(app)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
