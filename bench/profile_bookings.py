#!/usr/bin/env python
"""Where one 提交 (an appointment's confirmation) spends its time, without gunicorn.

    .venv/bin/python bench/profile_bookings.py [--bookings 400] [--cprofile] [--sql]

The halls, slots and WeChat users of ``bench/appointments_bench.py`` (PostgreSQL
``hall_bench_bookings`` beside ``--database-url``, Redis db 12): each user fills the form
and reaches the preview through the Flask test client of the real app, untimed; then
the confirmations are timed one after another. Prints the mean wall and CPU time per
提交, with ``--sql`` the statements of one, with ``--cprofile`` the functions by
cumulative time. Drops its database afterwards.
"""
import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appointments_bench  # noqa: E402
import harness  # noqa: E402
from appointments_load import form_for  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"')


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bookings", type=int, default=400)
    p.add_argument("--cprofile", action="store_true")
    p.add_argument("--sql", action="store_true", help="print the statements of one 提交")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    args = p.parse_args()
    url, _, cleanup = harness.prepare_database(args.database_url, "hall_bench_bookings")
    try:
        os.environ.update(harness.server_env(url, args.redis_url, 5000))
        app, plan = appointments_bench.setup(url, args.redis_url, 10)
        race = (plan["race"]["template"], plan["race"]["day"])
        combos = [(office, t, day, info["business"][k % len(info["business"])])
                  for office, info in plan["offices"].items()
                  for k, t in enumerate(info["templates"]) for day in plan["days"]
                  if (t, day) != race]
        users = []
        for n in range(args.bookings + 1):
            client = app.test_client()
            client.set_cookie("session", plan["cookie"](f"o_prof_user_{n:05d}"), domain="localhost")
            form = form_for(plan, 20_000 + n, *combos[n % len(combos)])
            office = form.pop("office")
            page = client.get(f"/h5/appointments/apply?office={office}").get_data(as_text=True)
            r = client.post(f"/h5/appointments/apply?office={office}",
                            data={**form, "csrf_token": CSRF.search(page).group(1)})
            assert r.status_code == 302 and r.headers["Location"].endswith("/preview"), r.status_code
            page = client.get("/h5/appointments/preview").get_data(as_text=True)
            users.append((client, CSRF.search(page).group(1), TOKEN.search(page).group(1)))

        def confirm(client, csrf, token):
            r = client.post("/h5/appointments/confirm", data={"csrf_token": csrf, "token": token})
            if r.status_code != 302 or "new=1" not in r.headers.get("Location", ""):
                raise SystemExit(f"HTTP {r.status_code} {r.headers.get('Location')}")

        last = users.pop()
        if args.sql:
            seen = harness.statements_of(app, lambda: confirm(*last))
            print(f"{len(seen)} statements in one 提交:")
            for statement in seen:
                print("  ", statement[:160])
        wall, cpu = harness.timed_per_item(users, confirm, args.cprofile)
        print(f"{len(users)} confirmations: {wall:.2f} ms wall, {cpu:.2f} ms CPU each "
              "(this process; PostgreSQL's own time not included in CPU)")
        harness.close_connections(app)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
