#!/usr/bin/env python3
"""Replays incident timelines through provider_exporter and the shipped
alerts.yml, and reports how many minutes before the provider's status page
the rules page.

For each timeline (YAML, format in README "Replaying an incident") and each
check set (`default`: the preset's default checks at their default
intervals; `chat`: those plus a chat check every 60 s):
1. provider-replay (Tests/replay/Replay) runs the exporter's own config,
   checks, classification, scheduling (backoff, retry hints), state and
   exposition in virtual time against a loopback fake that answers as the
   timeline says, and prints a scrape every 15 s;
2. the scrapes become promtool input series (with the instance and job labels
   Prometheus adds), and promtool evaluates the shipped alerts.yml every 15 s;
3. the alerts that fired are read back from promtool's ALERTS series.

Prints a table, then one JSON line per timeline and check set:
{"incident", "config", "first_page_min", "first_page", "status_page_min",
 "lead_min", "false_pages", "other_critical"}.
With --check, exits 1 unless: every incident timeline pages with the chat set
no later than its status page post (a timeline may name an `exception:` with
why), no timeline has a false page, and the quiet ones page nothing.

Usage: replay.py --bin PROVIDER_REPLAY [--check] [--json FILE] TIMELINE.yml ...
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALERTS = os.path.join(ROOT, "alerts.yml")
SCRAPE = 15  # seconds, scrapes and rule evaluations
INSTANCE, JOB = "replay:9641", "provider_exporter"
# Critical alerts about the provider's availability: pages. Other critical
# alerts (the key, the quota, status pages, the exporter itself) are listed apart.
PAGES = {"ProviderDown", "ProviderAvailabilityBudgetBurn", "AllProvidersDown"}


def load_timeline(path):
    t = yaml.safe_load(open(path))
    for key in ("name", "provider", "start", "end", "phases"):
        if key not in t:
            raise SystemExit(f"{path}: missing key '{key}'")
    here = os.path.dirname(os.path.abspath(path))
    for phase in t["phases"]:
        for answer in phase.get("answers", []):
            if "body" in answer:
                try:
                    with open(os.path.join(here, answer["body"]), encoding="utf-8") as f:
                        answer["body_text"] = f.read()
                except OSError as error:
                    raise SystemExit(f"{path}: phase from {phase.get('from')}: cannot read body {answer['body']}: {error.strerror}")
    return t


def plan(timeline, check_set):
    phases = []
    for p in timeline["phases"]:
        answers = []
        for a in p.get("answers", []):
            headers = [[k, str(v)] for k, v in (a.get("headers") or {}).items()]
            answers.append({"share": float(a["share"]), "status": int(a.get("status", 200)), "timeout": bool(a.get("timeout", False)),
                            "body": a.get("body_text", ""), "headers": headers})
        phase = {"from": p["from"], "to": p["to"], "answers": answers}
        if p.get("checks"):
            phase["checks"] = p["checks"]
        if p.get("latency_ms"):
            phase["latency_ms"] = p["latency_ms"]
        phases.append(phase)
    return {"provider": timeline["provider"], "preset": timeline.get("preset", timeline["provider"]), "check_set": check_set,
            "start": timeline["start"], "end": timeline["end"], "scrape_seconds": SCRAPE, "timeout_seconds": 1,
            "latency_scale": float(timeline.get("latency_scale", 0.05)), "phases": phases}


def families_the_rules_read():
    text = open(ALERTS).read()
    return set(re.findall(r"\b(provider_[a-z_]+)\b", text)) | {"up"}


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$')


def scrapes_to_series(text, wanted):
    series, count = {}, 0
    for line in text.splitlines():
        if line.startswith("# REPLAY_SCRAPE"):
            count += 1
            continue
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m or m.group(1) not in wanted:
            continue
        labels = (m.group(2) or "{}")[1:-1]
        labels = (labels + "," if labels else "") + f'instance="{INSTANCE}",job="{JOB}"'
        value = m.group(3)
        if value in ("NaN", "+Inf", "-Inf"):
            continue
        series.setdefault(f"{m.group(1)}{{{labels}}}", {})[count - 1] = value
    series[f'up{{instance="{INSTANCE}",job="{JOB}"}}'] = {i: "1" for i in range(count)}
    return [{"series": name, "values": " ".join(values.get(i, "_") for i in range(count))} for name, values in series.items()], count


def measurements(timeline, count):
    span = (count - 1) * SCRAPE
    alerts = 'ALERTS{alertstate="firing",severity="critical"}'
    onset = f"({alerts} unless {alerts} offset {SCRAPE}s)"
    tests = [{"expr": f'label_replace(min_over_time(timestamp({alerts})[{span}s:{SCRAPE}s]), "measure", "first", "", "")',
              "eval_time": f"{span}s", "exp_samples": []},
             {"expr": f'label_replace(sum by (alertname) (count_over_time({onset}[{span}s:{SCRAPE}s])), "measure", "onsets", "", "")',
              "eval_time": f"{span}s", "exp_samples": []}]
    phases = [p for p in timeline["phases"]]
    if phases and not quiet(timeline):
        before = int((min(p["from"] for p in phases) - timeline["start"]) * 60)
        after = int((max(p["to"] for p in phases) + 60 - timeline["start"]) * 60)
        if before > 0:
            tests.append({"expr": f'label_replace(sum by (alertname) (count_over_time({onset}[{before}s:{SCRAPE}s])), "measure", "before", "", "")',
                          "eval_time": f"{before}s", "exp_samples": []})
        if after < span:
            tests.append({"expr": f'label_replace(sum by (alertname) (count_over_time({onset}[{span - after}s:{SCRAPE}s])), "measure", "after", "", "")',
                          "eval_time": f"{span}s", "exp_samples": []})
    return tests


def quiet(timeline):
    """No incident: no status page post and no phase failing 5% or more."""
    biggest = max((sum(a.get("share", 0) for a in p.get("answers", [])) for p in timeline["phases"]), default=0)
    return timeline.get("status_page_post") is None and biggest < 0.05


def evaluate(groups, work):
    path = os.path.join(work, "replay_test.yml")
    with open(path, "w") as f:
        yaml.safe_dump({"rule_files": [ALERTS], "evaluation_interval": f"{SCRAPE}s", "tests": groups}, f, width=1 << 30)
    done = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
    found = {}
    for labels, value in re.findall(r"\{([^{}]*measure=\"[^\"]+\"[^{}]*)\} ([-+0-9.eE]+)", done.stdout + done.stderr):
        what = re.search(r'measure="([^"]+)"', labels).group(1)
        name = re.search(r'alertname="([^"]+)"', labels)
        found.setdefault(what, {})[name.group(1) if name else "?"] = float(value)
    return found


def replay(timeline, check_set, binary):
    with tempfile.TemporaryDirectory() as work:
        return replay_in(timeline, check_set, binary, work)


def replay_in(timeline, check_set, binary, work):
    plan_path = os.path.join(work, "plan.json")
    json.dump(plan(timeline, check_set), open(plan_path, "w"))
    done = subprocess.run([binary, plan_path], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"provider-replay failed on {timeline['name']} ({check_set}): {done.stderr.strip()}")
    input_series, count = scrapes_to_series(done.stdout, families_the_rules_read())
    got = evaluate([{"interval": f"{SCRAPE}s", "input_series": input_series,
                     "promql_expr_test": measurements(timeline, count)}], work)
    to_minute = lambda seconds: round(seconds / 60 + timeline["start"], 2)
    firsts = {name: to_minute(t) for name, t in got.get("first", {}).items()}
    pages = {n: m for n, m in firsts.items() if n in PAGES}
    first_page = min(pages, key=pages.get) if pages else None
    if quiet(timeline):
        false_pages = int(sum(got.get("onsets", {}).values()))
    else:
        false_pages = int(sum(got.get("before", {}).values()) + sum(got.get("after", {}).values()))
    status = timeline.get("status_page_post")
    first_min = pages[first_page] if first_page else None
    return {"incident": timeline["name"], "config": check_set, "first_page_min": first_min, "first_page": first_page,
            "status_page_min": status, "lead_min": round(status - first_min, 2) if status is not None and first_min is not None else None,
            "false_pages": false_pages, "other_critical": sorted(n for n in firsts if n not in PAGES)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the provider-replay binary")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the targets hold")
    parser.add_argument("--json", help="also write the report lines here")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="replays run at once (promtool is the cost)")
    parser.add_argument("timelines", nargs="+")
    args = parser.parse_args()
    rows, failures = [], []
    started = time.monotonic()
    runs = [(load_timeline(path), check_set) for path in args.timelines for check_set in ("default", "chat")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for (timeline, _), row in zip(runs, pool.map(lambda run: replay(run[0], run[1], args.bin), runs)):
            row["_timeline"] = timeline
            rows.append(row)
    fmt = lambda v: "-" if v is None else f"{v:g}"
    print(f"{'incident':<58} {'config':<7} {'first page':>10} {'status':>6} {'lead':>6} {'false':>5}  other critical")
    for r in rows:
        print(f"{r['incident'][:58]:<58} {r['config']:<7} {fmt(r['first_page_min']):>10} {fmt(r['status_page_min']):>6} "
              f"{fmt(r['lead_min']):>6} {r['false_pages']:>5}  {', '.join(r['other_critical']) or '-'}")
    for r in rows:
        t = r.pop("_timeline")
        print(json.dumps(r))
        if r["false_pages"]:
            failures.append(f"{r['incident']} ({r['config']}): {r['false_pages']} false page(s)")
        if quiet(t):
            if r["first_page"]:
                failures.append(f"{r['incident']} ({r['config']}): the quiet timeline paged ({r['first_page']})")
            continue
        late = r["status_page_min"] is not None and (r["first_page_min"] is None or r["first_page_min"] > r["status_page_min"])
        if r["config"] == "default" and late:
            print(f"default checks miss: {r['incident']}: " + ("no page" if r["first_page_min"] is None else
                  f"paged at {r['first_page_min']:g} min, the status page at {r['status_page_min']:g}"))
        if r["config"] == "chat" and late:
            if t.get("exception"):
                print(f"exception: {r['incident']}: {t['exception']}")
            else:
                failures.append(f"{r['incident']} (chat): " + ("no page" if r["first_page_min"] is None else
                                f"paged at {r['first_page_min']:g} min, after the status page at {r['status_page_min']:g}"))
    if args.json:
        with open(args.json, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    print(f"replay: {len(rows)} runs of {len(args.timelines)} timeline(s) in {time.monotonic() - started:.1f} s")
    for failure in failures:
        print(f"FAIL - {failure}")
    if args.check:
        print(f"replay targets: {len(rows) - len(failures)} passed, {len(failures)} failed")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
