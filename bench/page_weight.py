#!/usr/bin/env python
"""What the first view of the key pages transfers: bytes and requests (issue 15).

    .venv/bin/python bench/page_weight.py [--no-write]

The real app in this process (SQLite in a temporary directory, the demo data), through
the Flask test client as a browser with an empty cache: each page, then every
stylesheet, script and image it links, each asked with ``Accept-Encoding: gzip, br``.
Bytes are the response bodies as sent (compressed where the server compressed them;
HTTP headers not counted). A WeChat user (openid in the session, as OAuth leaves it)
opens the booking form; the home page is opened anonymously, as a newcomer does.
Writes its section of docs/BENCHMARKS.md.
"""
import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
import machine

PAGES = [("服务大厅 home", "/h5/", False), ("`GET /` (redirect)", "/", False),
         ("申请预约 booking form", "/h5/appointments/apply?office=SH", True),
         ("排号进度查询", "/h5/queue", True), ("网络投票", "/h5/votes", True),
         ("在线客服", "/h5/service", True), ("账户登录", "/h5/account/login", False)]
LINKS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')
BUDGET = 60 * 1024
BEGIN, END = "<!-- bench:page_weight:begin -->", "<!-- bench:page_weight:end -->"


def first_view(client, path):
    """[(url, status, bytes, encoding, cache-control)] for the page and what it links."""
    headers = {"Accept-Encoding": "gzip, br"}
    out, seen = [], set()
    resp = client.get(path, headers=headers)
    out.append((path, resp.status_code, len(resp.data), resp.headers.get("Content-Encoding"),
                resp.headers.get("Cache-Control")))
    if resp.status_code in (301, 302):
        location = resp.headers["Location"]
        resp = client.get(location, headers=headers)
        out.append((location, resp.status_code, len(resp.data),
                    resp.headers.get("Content-Encoding"), resp.headers.get("Cache-Control")))
    for url in LINKS.findall(resp.get_data(as_text=True)):
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url, headers=headers)
        out.append((url, r.status_code, len(r.data), r.headers.get("Content-Encoding"),
                    r.headers.get("Cache-Control")))
        r.close()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="page_weight_")
    os.environ.update(harness.server_env(f"sqlite:///{tmp}/hall.db", "", 5000))
    from wechat_hall import create_app
    from wechat_hall.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/hall.db", "REDIS_URL": "",
                      "SECRET_KEY": harness.SECRET_KEY, "HALL_INPROCESS_WORKER": False})
    with app.app_context():
        db.create_all()
    seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
    if seeded.exit_code:
        sys.exit(f"demo seed failed: {seeded.output}")
    load = os.getloadavg()[0]
    rows = []
    for label, path, wechat in PAGES:
        client = app.test_client()
        if wechat:
            with client.session_transaction() as s:
                s["wechat_openid"] = "o_page_weight_0001"
        t0 = time.process_time()
        parts = first_view(client, path)
        rows.append((label, path, parts, time.process_time() - t0))
    lines = [BEGIN, "## Page weight (`bench/page_weight.py`)", "",
             "First view with an empty cache: the page and every stylesheet, script and image",
             "it links, asked with `Accept-Encoding: gzip, br`; bytes are response bodies as",
             "sent. Static files are served by WhiteNoise under content-hashed names, gzip",
             "where it helps, `Cache-Control: max-age=315360000, public, immutable`, so a",
             "second view transfers only the HTML.", "",
             f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; code measured: "
             f"{machine.app_revision(harness.ROOT)}; load average {load:.1f}", "",
             "| page | requests | bytes | of which HTML | ≤ 60 KB | server CPU ms (all requests) |",
             "| --- | ---: | ---: | ---: | --- | ---: |"]
    for label, path, parts, cpu in rows:
        total = sum(b for _, _, b, _, _ in parts)
        html = sum(b for u, _, b, _, _ in parts if not u.startswith("/static/"))
        lines.append(f"| {label} `{path}` | {len(parts)} | {total:,} | {html:,} | "
                     f"{'yes' if total <= BUDGET else '**no**'} | {cpu * 1000:.1f} |")
    lines += ["", "Files of the home page's first view:", "",
              "| URL | status | bytes | encoding | Cache-Control |", "| --- | ---: | ---: | --- | --- |"]
    for url, status, size, enc, cc in rows[0][2]:
        lines.append(f"| `{url}` | {status} | {size:,} | {enc or '—'} | {cc or '—'} |")
    lines += ["", "Run it: `.venv/bin/python bench/page_weight.py` (about 20 s, no services "
              "needed).", END]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        harness.write_section(BEGIN, END, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
