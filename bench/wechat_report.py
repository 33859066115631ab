"""Figures of ``bench/wechat_throughput.py``: the summary of the rounds, the console
table and the section of docs/BENCHMARKS.md."""

import machine
from harness import BENCH_DB, gunicorn_settings, percentile, write_section
from wechat_load import KEYWORD_SHARE

BEGIN = "<!-- bench:wechat_throughput:begin -->"
END = "<!-- bench:wechat_throughput:end -->"
# Issue 15's targets: the ratio to the tutorial bot per mode, CPU, p99, errors.
RATIO_TARGET = {"new": 0.5, "mix": 0.7}
CPU_TARGET_MS = 1.0
P99_TARGET_MS = 100
MODE_NAMES = {"new": "every message from a new sender (headline)",
              "mix": "benchmark mix, 4 senders per connection reused"}


def _total(phases):
    lat = sorted(x for p in phases for x in p["latencies"])
    seconds = sum(p["seconds"] for p in phases)
    done = sum(p["completed"] for p in phases)
    cpu = sum(p["server_cpu"] * p["seconds"] for p in phases)
    return {"completed": done, "seconds": seconds, "rate": done / seconds if seconds else 0,
            "p50_ms": percentile(lat, 50) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "max_ms": (lat[-1] * 1000) if lat else float("nan"),
            "errors": sum(p["errors"] for p in phases),
            "checked": sum(p["checked"] for p in phases),
            "error_kinds": _merge([p["error_kinds"] for p in phases]),
            "live_generated": sum(p["live_generated"] for p in phases),
            "server_ms_per_req": cpu / done * 1000 if done else float("nan"),
            "load": max((p.get("load", 0) for p in phases), default=0)}


def summarize(result, args, info, db_desc):
    phases = result["phases"]
    modes = {}
    for mode in args.modes:
        t = {target: _total([p for p in phases if p["mode"] == mode and p["target"] == target])
             for target in ("app", "bot")}
        app, bot = t["app"], t["bot"]
        ratio = app["rate"] / bot["rate"] if bot["rate"] else 0
        cpu_ratio = (app["server_ms_per_req"] / bot["server_ms_per_req"]
                     if bot["server_ms_per_req"] else float("nan"))
        targets = {f"ratio >= {RATIO_TARGET[mode]}": ratio >= RATIO_TARGET[mode],
                   f"CPU <= {CPU_TARGET_MS} ms": app["server_ms_per_req"] <= CPU_TARGET_MS,
                   f"p99 < {P99_TARGET_MS} ms": app["p99_ms"] < P99_TARGET_MS,
                   "0 errors": app["errors"] == 0 and bot["errors"] == 0}
        modes[mode] = {"totals": t, "ratio": ratio, "cpu_ratio": cpu_ratio,
                       "targets": targets}
    rows = []
    for p in phases:
        lat = sorted(p["latencies"])
        rows.append({
            "mode": p["mode"], "target": p["target"], "round": p["round"],
            "completed": p["completed"], "rate": p["completed"] / p["seconds"],
            "p50_ms": percentile(lat, 50) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "errors": p["errors"], "client_cpu": p["client_cpu"],
            "server_cpu": p["server_cpu"], "machine_busy": p["machine_busy"],
            "load": p.get("load", 0),
            "server_ms_per_req": (p["server_cpu"] * p["seconds"] / p["completed"] * 1000
                                  if p["completed"] else float("nan")),
        })
    return {"info": info, "db": db_desc, "redis_url": args.redis_url,
            "settings": " ".join(gunicorn_settings(args)), "concurrency": args.concurrency,
            "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds,
            "modes": modes, "rows": rows,
            "targets_met": all(v for m in modes.values() for v in m["targets"].values()),
            "server_log_errors": result.get("server_log_errors", 0)}


def _merge(dicts):
    out = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def render_console(s):
    lines = [f"{'mode':4} {'target':6} {'round':>5} {'done':>7} {'req/s':>8} {'p50 ms':>7} "
             f"{'p99 ms':>7} {'err':>4} {'client':>6} {'server':>6} {'ms/req':>6} {'load':>5}"]
    for r in s["rows"]:
        lines.append(f"{r['mode']:4} {r['target']:6} {r['round']:>5} {r['completed']:>7} "
                     f"{r['rate']:>8.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                     f"{r['errors']:>4} {r['client_cpu']:>6.2f} {r['server_cpu']:>6.2f} "
                     f"{r['server_ms_per_req']:>6.2f} {r['load']:>5.1f}")
    for mode, m in s["modes"].items():
        for name in ("app", "bot"):
            x = m["totals"][name]
            lines.append(f"{mode:4} {name:6} {'all':>5} {x['completed']:>7} {x['rate']:>8.1f} "
                         f"{x['p50_ms']:>7.1f} {x['p99_ms']:>7.1f} {x['errors']:>4} "
                         f"{'':>6} {'':>6} {x['server_ms_per_req']:>6.2f}"
                         + (f"  {x['error_kinds']}" if x["error_kinds"] else ""))
        lines.append(f"{mode}: ratio app/bot = {m['ratio']:.3f}, CPU app/bot = "
                     f"{m['cpu_ratio']:.2f}; " + ", ".join(
                         f"{k}: {'met' if v else 'NOT met'}" for k, v in m["targets"].items()))
    return "\n".join(lines)


def _mode_section(mode, m, concurrency):
    def yes(ok):
        return "met" if ok else "**not met**"
    app, bot = m["totals"]["app"], m["totals"]["bot"]
    keys = list(m["targets"])
    out = [
        f"### Mode `{mode}`: {MODE_NAMES[mode]}",
        "",
        "| target | requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/msg |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, x in (("`/wechat` (hall)", app), ("tutorial bot (baseline)", bot)):
        out.append(f"| {name} | {x['completed']} | {x['rate']:.1f} | {x['p50_ms']:.1f} | "
                   f"{x['p99_ms']:.1f} | {x['max_ms']:.1f} | {x['errors']} | "
                   f"{x['server_ms_per_req']:.2f} |")
    out += [
        "",
        f"**Ratio hall ÷ bot: {m['ratio']:.2f}** (server CPU per message: "
        f"{m['cpu_ratio']:.2f}× the bot's)",
        "",
        f"| target | throughput {keys[0][6:]} × the bot | server CPU ≤ {CPU_TARGET_MS} ms/msg "
        f"| p99 < {P99_TARGET_MS} ms at {concurrency} connections | 0 errors |",
        "| --- | --- | --- | --- | --- |",
        f"| result | {yes(m['targets'][keys[0]])} ({m['ratio']:.2f}) | "
        f"{yes(m['targets'][keys[1]])} ({app['server_ms_per_req']:.2f} ms) | "
        f"{yes(m['targets'][keys[2]])} ({app['p99_ms']:.1f} ms) | "
        f"{yes(m['targets'][keys[3]])} ({app['errors']} + {bot['errors']}) |",
        "",
    ]
    if app["error_kinds"] or bot["error_kinds"]:
        out += [f"Errors by kind: hall {app['error_kinds']}, bot {bot['error_kinds']}.", ""]
    return out


def render_doc(s):
    i = s["info"]
    out = [
        BEGIN,
        "## WeChat push throughput (`bench/wechat_throughput.py`)",
        "",
        "Encrypted (safe-mode) text messages POSTed to the real app's `/wechat`, against the",
        "tutorial wechatpy bot (`bench/tutorial_bot.py`: signature, decrypt, parse, fixed",
        "keyword answers with a link, encrypt; no database, no Redis) on the same gunicorn",
        "settings, alternated in the same run. Each message is distinct (own MsgId, fresh",
        "timestamp and nonce), built by `wechat_hall.simulator.push.sign`; every reply of",
        "both servers is decrypted and checked (addressee, and the keyword's answer).",
        "",
        f"- Date: {i['date']}",
        f"- Machine: {machine.machine_line(i)}",
        f"- Code measured: {i.get('app', 'unknown')}",
        f"- gunicorn (both servers): `{s['settings']}`",
        f"- Database: PostgreSQL {i['postgresql']} on 127.0.0.1, {s['db']}; "
        f"Redis {i['redis']} at `{s['redis_url']}`",
        f"- Load: one separate process, {s['concurrency']} keep-alive connections "
        f"(asyncio streams, closed loop), {s['warmup']:g} s warm-up + {s['duration']:g} s "
        f"measured per window, hall and bot alternated {s['rounds']}× per mode; "
        f"{int(KEYWORD_SHARE * 100)} % keyword messages (预约, 投票, 排号, 查询, 绑定, 客服), "
        "the rest other text",
        f"- Machine load (1-minute average) during the windows: "
        f"{min(r['load'] for r in s['rows']):.1f}–{max(r['load'] for r in s['rows']):.1f} "
        f"on {i['nproc']} cores (it counts runnable threads, the servers' own among them; "
        "the *rest* column below is what anything else used, and the ratios come from "
        "alternated windows, so both servers met the same machine)",
        "",
    ]
    for mode, m in s["modes"].items():
        out += _mode_section(mode, m, s["concurrency"])
    out += [
        "Per window. CPU is in cores busy on average over the window: the load process, the",
        "server's gunicorn processes, and the rest of the machine (PostgreSQL, Redis, the",
        "kernel, and anything else running at the time); *server ms/msg* is gunicorn CPU",
        "time (user + system, all its processes) per message.",
        "",
        "| window | mode | target | requests | req/s | p50 ms | p99 ms | errors | "
        "server ms/msg | load CPU | server CPU | rest | load avg |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for n, r in enumerate(s["rows"], 1):
        rest = r["machine_busy"] * i["nproc"] - r["client_cpu"] - r["server_cpu"]
        out.append(f"| {n} | {r['mode']} | {r['target']} | {r['completed']} | "
                   f"{r['rate']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
                   f"{r['server_ms_per_req']:.2f} | {r['client_cpu']:.2f} | "
                   f"{r['server_cpu']:.2f} | {max(0.0, rest):.2f} | {r['load']:.1f} |")
    if s.get("server_log_errors"):
        out += ["", f"The app's log had {s['server_log_errors']} traceback or ERROR lines "
                "during the run."]
    live = sum(m["totals"][t]["live_generated"] for m in s["modes"].values()
               for t in ("app", "bot"))
    if live:
        out += ["", f"Note: {live} requests had to be built during a measured window "
                "(more than were prepared)."]
    out += [
        "",
        "Run it (about "
        f"{len(s['modes']) * s['rounds'] * 2 * (s['warmup'] + s['duration']) + 40:.0f} s; "
        "needs the local PostgreSQL and Redis):",
        "",
        "```sh",
        ".venv/bin/python bench/wechat_throughput.py --duration "
        f"{s['duration']:g} --concurrency {s['concurrency']}",
        "```",
        "",
        "Options: `--modes new,mix`, `--database-url` (default "
        "`postgresql://postgres@127.0.0.1:5432/test`; the run creates and drops "
        f"`{BENCH_DB}` beside it, `{BENCH_DB}_NAME` beside any other database NAME), "
        "`--redis-url` (default `redis://127.0.0.1:6379/14`; the run deletes the keys its "
        "messages created), `--workers`, `--threads`, `--rounds`, `--warmup`, `--no-write`, "
        "`--json FILE`, `--check` (exit status 1 unless every target is met), `--yappi DIR` "
        "(profile the app's workers; does not write this file). "
        "`bench/profile_wechat.py [--new-senders]` profiles one message at a time through "
        "the test client.",
        END,
    ]
    return "\n".join(out) + "\n"


def write_doc(summary):
    write_section(BEGIN, END, render_doc(summary))
