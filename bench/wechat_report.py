"""Figures of ``bench/wechat_throughput.py``: the summary of the rounds, the console
table and the section of docs/BENCHMARKS.md."""

from harness import BENCH_DB, gunicorn_settings, percentile, write_section
from wechat_load import KEYWORD_SHARE

BEGIN = "<!-- bench:wechat_throughput:begin -->"
END = "<!-- bench:wechat_throughput:end -->"


def summarize(result, args, info, db_desc):
    phases = result["phases"]
    totals = {}
    for target in ("app", "bare"):
        mine = [p for p in phases if p["target"] == target]
        lat = sorted(x for p in mine for x in p["latencies"])
        seconds = sum(p["seconds"] for p in mine)
        done = sum(p["completed"] for p in mine)
        totals[target] = {
            "completed": done, "seconds": seconds, "rate": done / seconds if seconds else 0,
            "p50_ms": percentile(lat, 50) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "max_ms": (lat[-1] * 1000) if lat else float("nan"),
            "errors": sum(p["errors"] for p in mine),
            "checked": sum(p["checked"] for p in mine),
            "error_kinds": _merge([p["error_kinds"] for p in mine]),
            "live_generated": sum(p["live_generated"] for p in mine),
        }
    for target in ("app", "bare"):
        mine = [p for p in phases if p["target"] == target]
        cpu = sum(p["server_cpu"] * p["seconds"] for p in mine)
        done = totals[target]["completed"]
        totals[target]["server_ms_per_req"] = cpu / done * 1000 if done else float("nan")
    ratio = totals["app"]["rate"] / totals["bare"]["rate"] if totals["bare"]["rate"] else 0
    app = totals["app"]
    targets = {"ratio >= 0.7": ratio >= 0.7, "p99 < 100 ms": app["p99_ms"] < 100,
               "0 errors": app["errors"] == 0 and totals["bare"]["errors"] == 0}
    rows = []
    for p in phases:
        lat = sorted(p["latencies"])
        rows.append({
            "target": p["target"], "round": p["round"], "completed": p["completed"],
            "rate": p["completed"] / p["seconds"], "p50_ms": percentile(lat, 50) * 1000,
            "p99_ms": percentile(lat, 99) * 1000, "errors": p["errors"],
            "client_cpu": p["client_cpu"], "server_cpu": p["server_cpu"],
            "machine_busy": p["machine_busy"],
            "server_ms_per_req": (p["server_cpu"] * p["seconds"] / p["completed"] * 1000
                                  if p["completed"] else float("nan")),
        })
    return {"info": info, "db": db_desc, "redis_url": args.redis_url,
            "settings": " ".join(gunicorn_settings(args)), "concurrency": args.concurrency,
            "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds,
            "totals": totals, "ratio": ratio, "targets": targets,
            "targets_met": all(targets.values()), "rows": rows,
            "server_log_errors": result.get("server_log_errors", 0)}


def _merge(dicts):
    out = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def render_console(s):
    t = s["totals"]
    lines = [f"{'target':6} {'round':>5} {'done':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
             f"{'err':>4} {'client':>6} {'server':>6} {'ms/req':>6} {'busy':>5}"]
    for r in s["rows"]:
        lines.append(f"{r['target']:6} {r['round']:>5} {r['completed']:>7} {r['rate']:>8.1f} "
                     f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['errors']:>4} "
                     f"{r['client_cpu']:>6.2f} {r['server_cpu']:>6.2f} "
                     f"{r['server_ms_per_req']:>6.2f} {r['machine_busy']:>5.0%}")
    for name in ("app", "bare"):
        x = t[name]
        lines.append(f"{name:6} {'all':>5} {x['completed']:>7} {x['rate']:>8.1f} "
                     f"{x['p50_ms']:>7.1f} {x['p99_ms']:>7.1f} {x['errors']:>4} "
                     f"{'':>6} {'':>6} {x['server_ms_per_req']:>6.2f}"
                     + (f"  {x['error_kinds']}" if x["error_kinds"] else ""))
    lines.append(f"ratio app/bare = {s['ratio']:.3f}; targets: "
                 + ", ".join(f"{k}: {'met' if v else 'NOT met'}"
                             for k, v in s["targets"].items()))
    return "\n".join(lines)


def render_doc(s):
    i, t = s["info"], s["totals"]
    yes = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    app, bare = t["app"], t["bare"]
    out = [
        BEGIN,
        "## WeChat push throughput (`bench/wechat_throughput.py`)",
        "",
        "Encrypted (safe-mode) text messages POSTed to the real app's `/wechat`, against a",
        "bare Flask endpoint (`bench/bare_app.py`) on the same gunicorn settings, in the",
        "same run. Each message is distinct (own MsgId, fresh timestamp and nonce), built by",
        "`wechat_hall.simulator.push.sign`; every reply is decrypted and checked.",
        "",
        f"- Date: {i['date']}",
        f"- Machine: {i['nproc']} cores ({i['cpu']}), {i['memory']} memory, Linux "
        f"{i['kernel']}; Python {i['python']}, Flask {i.get('flask', '?')}, "
        f"gunicorn {i.get('gunicorn', '?')}",
        f"- Code measured: {i.get('app', 'unknown')}",
        f"- gunicorn (both servers): `{s['settings']}`",
        f"- Database: PostgreSQL {i['postgresql']} on 127.0.0.1, {s['db']}; "
        f"Redis {i['redis']} at `{s['redis_url']}`",
        f"- Load: one separate process, {s['concurrency']} keep-alive connections "
        f"(asyncio streams, closed loop), {s['warmup']:g} s warm-up + {s['duration']:g} s "
        f"measured per window, app and bare alternated {s['rounds']}×; "
        f"{int(KEYWORD_SHARE * 100)} % keyword messages (预约, 投票, 排号, 查询, 绑定, 客服), "
        "the rest other text",
        "",
        "| target | requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, x in (("`/wechat` (app)", app), ("`/bare` (baseline)", bare)):
        out.append(f"| {name} | {x['completed']} | {x['rate']:.1f} | {x['p50_ms']:.1f} | "
                   f"{x['p99_ms']:.1f} | {x['max_ms']:.1f} | {x['errors']} | "
                   f"{x['server_ms_per_req']:.2f} |")
    out += [
        "",
        f"**Ratio app ÷ bare: {s['ratio']:.3f}**",
        "",
        "| target | ratio ≥ 0.7 | p99 < 100 ms at "
        f"{s['concurrency']} connections | 0 errors |",
        "| --- | --- | --- | --- |",
        f"| result | {yes(s['targets']['ratio >= 0.7'])} ({s['ratio']:.2f}) | "
        f"{yes(s['targets']['p99 < 100 ms'])} ({app['p99_ms']:.1f} ms) | "
        f"{yes(s['targets']['0 errors'])} ({app['errors']} + {bare['errors']}) |",
        "",
        f"The load process used at most {max(r['client_cpu'] for r in s['rows']):.2f} of "
        "the one core it can use, so it "
        + ("was not the bottleneck." if max(r["client_cpu"] for r in s["rows"]) < 0.8 else
           "**may have limited the baseline**: the ratio is then too high."),
        "",
        "Per window. CPU is in cores busy on average over the window: the load process, the",
        "server's gunicorn processes, and the rest of the machine (PostgreSQL, Redis, the",
        "kernel, and anything else running at the time); *server ms/req* is gunicorn CPU time",
        "per request.",
        "",
        "| window | target | requests | req/s | p50 ms | p99 ms | errors | server ms/req | "
        "load CPU | server CPU | rest |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in enumerate(s["rows"], 1):
        rest = r["machine_busy"] * i["nproc"] - r["client_cpu"] - r["server_cpu"]
        out.append(f"| {n} | {r['target']} | {r['completed']} | {r['rate']:.1f} | "
                   f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
                   f"{r['server_ms_per_req']:.2f} | {r['client_cpu']:.2f} | "
                   f"{r['server_cpu']:.2f} | {max(0.0, rest):.2f} |")
    if app["error_kinds"] or bare["error_kinds"]:
        out += ["", f"Errors by kind: app {app['error_kinds']}, bare {bare['error_kinds']}."]
    if s.get("server_log_errors"):
        out += ["", f"The app's log had {s['server_log_errors']} traceback or ERROR lines "
                "during the run."]
    if app["live_generated"] or bare["live_generated"]:
        out += ["", f"Note: {app['live_generated'] + bare['live_generated']} requests had to "
                "be built during a measured window (more than were prepared)."]
    out += [
        "",
        "Run it (about "
        f"{s['rounds'] * 2 * (s['warmup'] + s['duration']) + 40:.0f} s; needs the local "
        "PostgreSQL and Redis):",
        "",
        "```sh",
        ".venv/bin/python bench/wechat_throughput.py --duration "
        f"{s['duration']:g} --concurrency {s['concurrency']}",
        "```",
        "",
        "Options: `--database-url` (default `postgresql://postgres@127.0.0.1:5432/test`; "
        f"the run creates and drops `{BENCH_DB}` beside it), `--redis-url` (default "
        "`redis://127.0.0.1:6379/14`; the run deletes the keys its messages created), "
        "`--workers`, `--threads`, `--rounds`, `--warmup`, `--no-write`, `--json FILE`, "
        "`--check` (exit status 1 unless all three targets are met), `--yappi DIR` "
        "(profile the app's workers; does not write this file). "
        "`bench/profile_wechat.py` profiles one message at a time through the test client.",
        END,
    ]
    return "\n".join(out) + "\n"


def write_doc(summary):
    write_section(BEGIN, END, render_doc(summary))
