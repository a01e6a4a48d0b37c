#!/usr/bin/env python3
"""Reads what Tests/bench/probe_scale.sh collected and prints the table and,
as the last line on stdout, one JSON line with every figure.

Inputs: the exporter's debug log (JSON lines: one "probe" line per probe with
`provider`, `result`, `duration_seconds`, `lag_seconds`), the fake upstream's
records (`check applied_ms` per answered request, in order), the blackbox
loader's JSON, and the figures the shell script measured (as key=value
arguments). Latency error pairs the n-th probe of a check with the n-th request
the upstream answered for it: a check probes one request at a time.
"""
import json
import sys
from collections import defaultdict
from datetime import datetime


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def unix(ts):
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() - datetime(1970, 1, 1).timestamp()


def main():
    log_path, records_path, loader_path = sys.argv[1:4]
    m = {k: float(v) for k, v in (a.split("=", 1) for a in sys.argv[4:])}
    lags, results = [], defaultdict(int)
    all_durations = defaultdict(list)   # every probe of a check, in order
    in_window = 0
    with open(log_path) as f:
        for line in f:
            if '"msg":"probe"' not in line:
                continue
            e = json.loads(line)
            t = unix(e["ts"])
            results[e["result"]] += 1
            all_durations[e["provider"]].append((t, float(e["duration_seconds"]) * 1000))
            if t < m["warm_end"]:
                continue
            if m["window_start"] <= t < m["window_end"]:
                in_window += 1
            lags.append(float(e["lag_seconds"]) * 1000)
    applied = defaultdict(list)
    with open(records_path) as f:
        for line in f:
            check, ms = line.split()
            applied[check].append(float(ms))
    errors = []
    for check, probes in all_durations.items():
        for (t, measured), held in zip(probes, applied.get(check, [])):
            if t >= m["warm_end"]:
                errors.append(measured - held)
    bb = json.loads(open(loader_path).read().strip().splitlines()[-1])

    window = m["window_end"] - m["window_start"]
    out = {
        "checks": int(m["checks"]), "duration_s": m["duration_s"], "target_per_s": m["checks"] / m["interval_s"],
        "probes_per_s": in_window / window, "lag_p50_ms": pct(lags, 0.5), "lag_p99_ms": pct(lags, 0.99),
        "lag_max_ms": max(lags) if lags else float("nan"),
        "cpu_s_per_1k": m["cpu_s"] / max(1, in_window) * 1000,
        "blackbox_cpu_s_per_1k": bb["cpu_s_per_1k"], "blackbox_probes_per_s": bb["probes_per_s"],
        "rss_mb": m["rss_kb"] / 1024, "rss_after_scrapes_mb": m["rss_scraped_kb"] / 1024,
        "rss_after_gzip_scrapes_mb": m["rss_gzip_kb"] / 1024, "blackbox_rss_mb": bb["rss_mb"], "scrapes": int(m["scrapes"]),
        "scrape_p99_ms": m["scrape_p99_ms"], "scrape_gzip_p99_ms": m["scrape_gzip_p99_ms"],
        "render_cpu_ms": m["render_cpu_ms"], "paused_cpu_ms_per_s": m["paused_cpu_ms"], "zlib_level1_ms": m["zlib_level1_ms"],
        "gzip_scrape_cpu_ms": m["gzip_scrape_cpu_ms"], "series": int(m["series"]), "metrics_bytes": int(m["metrics_bytes"]),
        "latency_err_p50_ms": pct(errors, 0.5), "latency_err_p99_ms": pct(errors, 0.99),
        "latency_pairs": len(errors), "probes_failed": sum(n for r, n in results.items() if r != "success"),
        "idle_rss_mb": m.get("idle_rss_kb", float("nan")) / 1024, "ready_ms": m.get("ready_ms", float("nan")),
        "blackbox_idle_rss_mb": m.get("blackbox_idle_rss_kb", float("nan")) / 1024,
        "node_idle_rss_mb": m.get("node_idle_rss_kb", float("nan")) / 1024,
    }
    out["cpu_ratio_vs_blackbox"] = out["cpu_s_per_1k"] / out["blackbox_cpu_s_per_1k"]
    out["rss_ratio_vs_blackbox"] = out["rss_mb"] / out["blackbox_rss_mb"]
    # What probing state costs above the idle process, per 1,000 checks.
    out["rss_mb_per_1k_checks"] = (out["rss_mb"] - out["idle_rss_mb"]) * 1000 / out["checks"]
    target = out["target_per_s"]
    goals = [
        ("probes/s within 1% of target", f"{out['probes_per_s']:.1f} of {target:.1f}",
         abs(out["probes_per_s"] - target) <= 0.01 * target),
        ("schedule lag p99 < 100 ms", f"{out['lag_p99_ms']:.2f} ms (p50 {out['lag_p50_ms']:.2f}, max {out['lag_max_ms']:.1f})",
         out["lag_p99_ms"] < 100),
        ("CPU per 1,000 probes <= 0.4x blackbox_exporter",
         f"{out['cpu_s_per_1k']:.3f} s vs {out['blackbox_cpu_s_per_1k']:.3f} s ({out['cpu_ratio_vs_blackbox']:.2f}x)",
         out["cpu_ratio_vs_blackbox"] <= 0.4),
        ("RSS <= 100 MB after all the scrapes",
         f"{out['rss_after_scrapes_mb']:.1f} MB after {2 * out['scrapes']}; {out['rss_mb']:.1f} MB probing "
         f"(blackbox_exporter {out['blackbox_rss_mb']:.1f} MB)",
         max(out["rss_mb"], out["rss_after_scrapes_mb"]) <= 100),
        ("/metrics p99 < 250 ms with gzip, while probing", f"{out['scrape_gzip_p99_ms']:.0f} ms gzip; "
         f"{out['scrape_p99_ms']:.0f} ms plain, probing paused", out["scrape_gzip_p99_ms"] < 250),
        ("one render <= 60 ms CPU, probing paused", f"{out['render_cpu_ms']:.0f} ms (zlib level 1 alone: "
         f"{out['zlib_level1_ms']:.0f} ms on the body)", out["render_cpu_ms"] <= 60),
        ("latency error median < 1 ms, p99 < 5 ms",
         f"{out['latency_err_p50_ms']:.2f} / {out['latency_err_p99_ms']:.2f} ms over {out['latency_pairs']} probes",
         out["latency_err_p50_ms"] < 1 and out["latency_err_p99_ms"] < 5),
    ]
    if "idle_rss_kb" in m:
        goals.append(("idle RSS <= node_exporter's",
                      f"{out['idle_rss_mb']:.1f} MB vs {out['node_idle_rss_mb']:.1f} (blackbox_exporter "
                      f"{out['blackbox_idle_rss_mb']:.1f}); {out['rss_mb_per_1k_checks']:.1f} MB per 1,000 checks probing",
                      out["idle_rss_mb"] <= out["node_idle_rss_mb"]))
    if "ready_ms" in m:
        goals.append(("start to ready < 100 ms", f"{out['ready_ms']:.1f} ms", out["ready_ms"] < 100))
    print(f"\n{out['checks']} checks every {m['interval_s']:g} s, {window:.0f} s measured "
          f"({out['series']} series, {out['metrics_bytes'] / 1e6:.1f} MB exposition, {out['probes_failed']} failed probes)")
    print(f"{'goal':52} {'measured':60} met")
    for name, figure, met in goals:
        print(f"{name:52} {figure:60} {'yes' if met else 'NO'}")
    out["goals_met"] = sum(1 for g in goals if g[2])
    out["goals"] = len(goals)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
