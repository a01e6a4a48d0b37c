#!/usr/bin/env python3
"""Partial outages, caller-side causes and scattered failures through the
shipped alerts.yml, with promtool, on exporter histories drawn from a seeded
generator (histories.py): one probe a minute, one exporter unless a case says
otherwise, failure_threshold 3, backoff_max 5m, after an hour of healthy probes.

Two promtool runs:
1. assertions (promtool test rules): each target as alert_rule_test cases;
2. measurements: the first page, the number of notifications (critical alerts
   that start) and the last firing minute of every case, read back from
   promtool's ALERTS series; then the targets are checked on them, and the
   table of error share against time to page (evenly spread and random
   arrival) and the false-page rate on generated healthy days are printed.

Usage: partial_outages.py [--days N] [--seeds N] [--json FILE]
Exit status 0 when every target holds.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from histories import Phase, series, simulate  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALERTS = os.path.join(ROOT, "alerts.yml")
WARMUP = 60  # healthy minutes before every incident
PAGE_TARGET = {1.0: 6, 0.9: 6, 0.5: 8, 0.25: 25}  # share -> minutes to page at most (evenly spread)
RESOLVE_WITHIN = 40


def alert_rules():
    rules = [r for g in yaml.safe_load(open(ALERTS))["groups"] for r in g["rules"] if "alert" in r]
    return {(r["alert"], r["labels"]["severity"]): r for r in rules}


RULES = alert_rules()


def expected(alert, severity, labels, value):
    """An exp_alerts entry: labels and the rule's annotations rendered."""
    rule = RULES[(alert, severity)]
    def render(text):
        text = re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: str(labels[m.group(1)]), text)
        return text.replace("{{ $value }}", str(value))
    return {"exp_labels": {"severity": severity, **{k: v for k, v in labels.items()}, **rule["labels"]},
            "exp_annotations": {k: render(v) for k, v in rule["annotations"].items()}}


class Case:
    """One history: exporters (instance -> phases), the checks they run, and
    what must hold."""

    def __init__(self, name, minutes, exporters, checks=("models",), seed=1, provider="p"):
        self.name, self.minutes, self.checks, self.seed, self.provider = name, minutes, list(checks), seed, provider
        self.exporters = exporters  # {instance: [Phase, ...]}
        self.asserts = []  # (minute, alertname, [exp_alerts])

    def input_series(self):
        seen, out = set(), []
        for i, (instance, phases) in enumerate(self.exporters.items()):
            made = simulate(self.checks, phases, self.minutes, seed=self.seed * 1000 + i)
            for s in series(made, self.provider, instance):
                if s["series"] not in seen:
                    seen.add(s["series"])
                    out.append(s)
        return out

    def group(self, promql=None):
        g = {"interval": "1m", "input_series": self.input_series()}
        if self.asserts:
            g["alert_rule_test"] = [{"eval_time": f"{m}m", "alertname": a, "exp_alerts": e} for m, a, e in self.asserts]
        if promql:
            g["promql_expr_test"] = promql
        return g


def incident(share, result="server_error", arrival="even", length=60, checks=None):
    return [Phase(WARMUP, WARMUP + length, [(result, share)], checks=checks, arrival=arrival)]


def down(provider="p", exporters=1):
    return [expected("ProviderDown", "critical", {"provider": provider}, exporters)]


def evenly_spread_cases():
    """The targets at each share, evenly spread: page in time, hold to the end,
    resolve within 40 minutes of recovery."""
    cases = []
    for share, within in PAGE_TARGET.items():
        length = 60
        c = Case(f"even-{share}", WARMUP + length + 60, {"e1:9641": incident(share, length=length)})
        c.share, c.arrival, c.onset, c.end, c.within = share, "even", WARMUP, WARMUP + length, within
        for minute in range(WARMUP + within, WARMUP + length + 1, 5):
            c.asserts.append((minute, "ProviderDown", down()))
        c.asserts.append((WARMUP + length + RESOLVE_WITHIN, "ProviderDown", []))
        c.asserts.append((WARMUP - 1, "ProviderDown", []))
        cases.append(c)
    return cases


def shaped_cases():
    cases = []
    # OpenAI 2024-12-04 (its postmortem): 4 minutes of 100% errors, then 90
    # minutes in which 45% of requests stalled (timeouts).
    c = Case("openai-2024-12-04", WARMUP + 94 + 60, {"e1:9641": [
        Phase(WARMUP, WARMUP + 4, [("server_error", 1.0)]),
        Phase(WARMUP + 4, WARMUP + 94, [("timeout", 0.45)])]})
    c.onset, c.end, c.within, c.notifications = WARMUP, WARMUP + 94, 6, 1
    for minute in range(WARMUP + 6, WARMUP + 95, 5):
        c.asserts.append((minute, "ProviderDown", down()))
    cases.append(c)
    # Anthropic 2026-04-28: errors (500 and 529) and authentication failures on
    # valid keys on about half the requests for 78 minutes, at random.
    answers = [("server_error", 0.2), ("overloaded", 0.2), ("auth_error", 0.1)]
    for seed in (1, 2, 3):
        c = Case(f"anthropic-2026-04-28-seed{seed}", WARMUP + 78 + 60,
                 {"e1:9641": [Phase(WARMUP, WARMUP + 78, answers, arrival="random")]}, seed=seed)
        c.onset, c.end, c.within, c.notifications = WARMUP, WARMUP + 78, 25, 1
        for minute in range(WARMUP, WARMUP + 78 + 60, 3):
            c.asserts.append((minute, "ProviderAuthFailing", []))
        cases.append(c)
    # 90% of chat probes fail for two and a half hours while models succeeds.
    c = Case("chat-90-models-fine", WARMUP + 150 + 60,
             {"e1:9641": [Phase(WARMUP, WARMUP + 150, [("server_error", 0.9)], checks=["chat"])]}, checks=("models", "chat"))
    c.onset, c.end, c.within, c.notifications = WARMUP, WARMUP + 150, 6, 1
    for minute in range(WARMUP + 6, WARMUP + 151, 5):
        c.asserts.append((minute, "ProviderDown", down()))
    cases.append(c)
    # An edge 429 storm during an outage: the classifier makes them overloaded
    # (load shedding), a provider-side result: ProviderDown, not ProviderRateLimited.
    c = Case("edge-429-storm", WARMUP + 60 + 60, {"e1:9641": incident(0.95, result="overloaded")})
    c.onset, c.end, c.within, c.notifications = WARMUP, WARMUP + 60, 6, 1
    for minute in range(WARMUP + 6, WARMUP + 61, 5):
        c.asserts.append((minute, "ProviderDown", down()))
        c.asserts.append((minute, "ProviderRateLimited", []))
    cases.append(c)
    return cases


def caller_side_cases():
    cases = []
    # A retired model: the chat check gets request_error for an hour. A warning
    # naming the check; no page of any kind.
    c = Case("retired-model", WARMUP + 60, {"e1:9641": [Phase(WARMUP, WARMUP + 60, [("request_error", 1.0)], checks=["chat"])]},
             checks=("models", "chat"))
    c.onset, c.end, c.within, c.notifications = None, None, None, 0
    c.asserts.append((WARMUP + 10, "ProviderCheckRejected", [expected("ProviderCheckRejected", "warning", {"provider": "p", "check": "chat"}, 1)]))
    for minute in range(WARMUP, WARMUP + 60, 5):
        c.asserts.append((minute, "ProviderDown", []))
        c.asserts.append((minute, "ProviderAvailabilityBudgetBurn", []))
    cases.append(c)
    # A revoked key, with one stray timeout among its 401s: the key page comes
    # and comes back after the timeout (a lone timeout does not hide it for the
    # 30-minute window). Backoff spaces the probes; the timeout, at minute 29,
    # is the last result for 5 minutes: the key alert pauses, and (a known
    # limit) the threshold reached with a provider-side last result pages
    # ProviderDown too. Notifications are not counted for this case.
    revoked = [Phase(WARMUP, WARMUP + 60, [("auth_error", 0.9), ("timeout", 0.1)])]
    c = Case("revoked-key-stray-timeout", WARMUP + 60, {"e1:9641": revoked})
    c.onset, c.end, c.within, c.notifications = None, None, None, None
    for minute in (WARMUP + 10, WARMUP + 45, WARMUP + 55):
        c.asserts.append((minute, "ProviderAuthFailing", [expected("ProviderAuthFailing", "critical", {"provider": "p"}, 1)]))
    cases.append(c)
    # One exporter of three region-blocked: a warning naming it; no key page, no outage page.
    blocked = [Phase(WARMUP, WARMUP + 60, [("blocked", 1.0)])]
    c = Case("one-of-three-blocked", WARMUP + 60, {"eu:9641": blocked, "us:9641": [], "ap:9641": []})
    c.onset, c.end, c.within, c.notifications = None, None, None, 0
    c.asserts.append((WARMUP + 10, "ProviderBlocked", [expected("ProviderBlocked", "warning", {"provider": "p", "instance": "eu:9641"}, 1)]))
    for minute in range(WARMUP, WARMUP + 60, 5):
        c.asserts.append((minute, "ProviderAuthFailing", []))
        c.asserts.append((minute, "ProviderDown", []))
    cases.append(c)
    return cases


def several_exporter_cases():
    cases = []
    half = incident(0.5)
    # One exporter of three sees a partial outage: no page.
    c = Case("partial-1-of-3", WARMUP + 60 + 30, {"eu:9641": half, "us:9641": [], "ap:9641": []})
    c.onset, c.end, c.within, c.notifications = None, None, None, 0
    for minute in range(WARMUP, WARMUP + 90, 5):
        c.asserts.append((minute, "ProviderDown", []))
    cases.append(c)
    # Two of three: one page, in time.
    c = Case("partial-2-of-3", WARMUP + 60 + 60, {"eu:9641": half, "us:9641": half, "ap:9641": []})
    c.onset, c.end, c.within, c.notifications = WARMUP, WARMUP + 60, 8, 1
    for minute in range(WARMUP + 8, WARMUP + 61, 5):
        c.asserts.append((minute, "ProviderDown", down(exporters=2)))
    cases.append(c)
    return cases


def healthy_days(days, share=0.015):
    """Six-hour days with scattered provider-side failures at random (half
    server errors, half timeouts)."""
    cases = []
    for day in range(days):
        c = Case(f"healthy-day-{day}", 360, {"e1:9641": [Phase(0, 360, [("server_error", share / 2), ("timeout", share / 2)],
                                                                 arrival="random")]}, seed=10_000 + day)
        c.onset = c.end = c.within = None
        c.notifications = 0
        cases.append(c)
    return cases


def random_arrival_cases(seeds):
    cases = []
    for share in (1.0, 0.9, 0.5, 0.4, 0.25, 0.15, 0.1):
        for seed in range(seeds):
            c = Case(f"random-{share}-seed{seed}", WARMUP + 120, {"e1:9641": incident(share, arrival="random", length=120)},
                     seed=500 + seed)
            c.share, c.arrival, c.onset, c.end = share, "random", WARMUP, WARMUP + 120
            cases.append(c)
    return cases


def run_promtool(groups, workdir, name):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        yaml.safe_dump({"rule_files": [ALERTS], "evaluation_interval": "1m", "tests": groups}, f, width=10_000)
    done = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def measurements(case):
    """promql_expr_test entries whose (deliberately empty) expectations make
    promtool print what it got: first page, notifications, last firing minute."""
    tag = lambda expr, what: f'label_replace({expr}, "measure", "{case.name}|{what}", "", "")'
    span = f"{case.minutes}m:1m"
    page = 'ALERTS{alertstate="firing",severity="critical"}'
    return [
        {"expr": tag(f'min_over_time(timestamp(ALERTS{{alertname="ProviderDown",alertstate="firing"}})[{span}])', "first"), "eval_time": f"{case.minutes - 1}m", "exp_samples": []},
        {"expr": tag(f'max_over_time(timestamp(ALERTS{{alertname="ProviderDown",alertstate="firing"}})[{span}])', "last"), "eval_time": f"{case.minutes - 1}m", "exp_samples": []},
        {"expr": tag(f'sum by (alertname) (count_over_time(({page} unless {page} offset 1m)[{span}]))', "onsets"), "eval_time": f"{case.minutes - 1}m", "exp_samples": []},
    ]


def parse_measurements(output):
    found = {}
    for labels, value in re.findall(r"\{([^{}]*measure=\"[^\"]+\"[^{}]*)\} ([-+0-9.eE]+)", output):
        key = re.search(r'measure="([^"]+)"', labels).group(1)
        name, what = key.split("|")
        entry = found.setdefault(name, {})
        if what == "onsets":
            # Per alert name: the total, and which alerts they were.
            alert = re.search(r'alertname="([^"]+)"', labels)
            entry["onsets"] = entry.get("onsets", 0) + float(value)
            entry.setdefault("alerts", []).append(alert.group(1) if alert else "?")
        else:
            entry[what] = float(value)
    return found


def measure_healthy_days(rules, days):
    """The false-page count of another rules file on the same generated days."""
    global ALERTS
    ALERTS = rules
    cases = healthy_days(days)
    with tempfile.TemporaryDirectory() as work:
        _, out = run_promtool([c.group(promql=measurements(c)) for c in cases], work, "measurements.yml")
    got = parse_measurements(out)
    pages = sum(int(got.get(c.name, {}).get("onsets", 0)) for c in cases)
    for c in cases:
        if got.get(c.name, {}).get("onsets"):
            print(f"   {c.name}: {', '.join(got[c.name]['alerts'])}")
    print(f"{rules}: {pages} page(s) in {days} generated healthy six-hour days")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=40, help="generated healthy six-hour days")
    parser.add_argument("--seeds", type=int, default=12, help="random-arrival histories per share")
    parser.add_argument("--json", help="write the measurements here")
    parser.add_argument("--alerts", help="another rules file to measure (say an older alerts.yml): healthy days only")
    args = parser.parse_args()
    if args.alerts:
        return measure_healthy_days(os.path.abspath(args.alerts), args.days)

    targets = evenly_spread_cases() + shaped_cases() + caller_side_cases() + several_exporter_cases()
    days = healthy_days(args.days)
    randoms = random_arrival_cases(args.seeds)
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        code, out = run_promtool([c.group() for c in targets], work, "assertions.yml")
        print(f"== promtool test rules: {len(targets)} generated cases, {sum(len(c.asserts) for c in targets)} assertions: "
              + ("passed" if code == 0 else "FAILED"))
        if code != 0:
            print(out[-4000:])
            failures += 1
        everything = targets + days + randoms
        _, out = run_promtool([c.group(promql=measurements(c)) for c in everything], work, "measurements.yml")
        got = parse_measurements(out)

    def page_minute(case):
        first = got.get(case.name, {}).get("first")
        return None if first is None else first / 60 - case.onset

    def check(ok, what):
        nonlocal failures
        print(("ok   - " if ok else "FAIL - ") + what)
        failures += 0 if ok else 1

    print("== targets, measured")
    for c in targets:
        n = int(got.get(c.name, {}).get("onsets", 0))
        want = getattr(c, "notifications", 1)
        names = ", ".join(got.get(c.name, {}).get("alerts", []))
        if want is not None:
            check(n == want, f"{c.name}: {n} notification(s), want {want}" + (f" ({names})" if names else ""))
        if c.onset is not None:
            minute = page_minute(c)
            check(minute is not None and 0 <= minute <= c.within, f"{c.name}: paged {minute} min after onset, within {c.within}")
            last = got[c.name].get("last", 0) / 60 - c.end if minute is not None else None
            if c.minutes - c.end >= RESOLVE_WITHIN:
                check(last is not None and last <= RESOLVE_WITHIN,
                      f"{c.name}: last firing {last} min after recovery, within {RESOLVE_WITHIN}")

    pages = sum(int(got.get(c.name, {}).get("onsets", 0)) for c in days)
    for c in days:
        if got.get(c.name, {}).get("onsets"):
            print(f"   {c.name}: {', '.join(got[c.name]['alerts'])}")
    print(f"== healthy days: 1.5% provider-side failures at random, {args.days} six-hour days: {pages} page(s) "
          f"({pages / args.days * 10:.2f} per ten days)")
    check(pages <= args.days / 10, f"at most one page in ten six-hour days ({pages} in {args.days})")

    table = {}
    for share in sorted({c.share for c in randoms}, reverse=True):
        minutes = [page_minute(c) for c in randoms if c.share == share]
        paged = sorted(m for m in minutes if m is not None)
        even = next((page_minute(c) for c in targets if getattr(c, "share", None) == share), None)
        table[share] = {"evenly": even, "random_median": statistics.median(paged) if paged else None,
                        "random_worst": paged[-1] if len(paged) == len(minutes) else None,
                        "random_paged": f"{len(paged)}/{len(minutes)} within 120 min"}
    print("== error share against minutes to page (one exporter, one probe a minute)")
    print("share  evenly  random: median  worst  paged")
    for share, row in table.items():
        fmt = lambda v: "-" if v is None else f"{v:g}"
        print(f"{share:>5}  {fmt(row['evenly']):>6}  {fmt(row['random_median']):>14}  {fmt(row['random_worst']):>5}  {row['random_paged']}")
    if args.json:
        json.dump({"table": table, "healthy_days": args.days, "false_pages": pages}, open(args.json, "w"), indent=1)
    print(f"partial outages: {'0 failed' if failures == 0 else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
