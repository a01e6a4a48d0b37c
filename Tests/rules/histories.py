"""Exporter histories for promtool, simulated the way provider_exporter
produces them: one probe per check per interval, backoff while the provider is
down, and the families the rules read (provider_up, provider_consecutive_failures,
provider_failure_threshold, provider_last_result, provider_probes_total for
every result, provider_state), scraped once a minute.

What each probe answers comes from a scenario's phases: shares of results,
spread evenly (the replay's rule: every answer's credit grows by its share per
probe; one of at least 1 is used and drops by 1, the first listed on a tie) or
drawn at random from a seeded generator. Nothing is hand-placed.

Imported by partial_outages.py; not a test by itself.
"""
import random

RESULTS = ["success", "timeout", "dns_error", "connect_error", "tls_error", "auth_error", "quota_exhausted",
           "rate_limited", "overloaded", "server_error", "http_error", "invalid_response", "request_error", "blocked"]
PROVIDER_SIDE = {"timeout", "dns_error", "tls_error", "connect_error", "overloaded", "server_error",
                 "http_error", "invalid_response"}


class Phase:
    """Minutes [start, end) in which probes of `checks` (all when None) answer
    `answers`, a list of (result, share); the rest succeed."""

    def __init__(self, start, end, answers, checks=None, arrival="even"):
        self.start, self.end, self.answers, self.checks, self.arrival = start, end, answers, checks, arrival

    def covers(self, check, minute):
        return self.start <= minute < self.end and (self.checks is None or check in self.checks)


class Answerer:
    def __init__(self, phases, seed):
        self.phases = phases
        self.rng = random.Random(seed)
        self.credits = {}

    def answer(self, check, minute):
        for index, phase in enumerate(self.phases):
            if not phase.covers(check, minute):
                continue
            if phase.arrival == "random":
                draw, total = self.rng.random(), 0.0
                for result, share in phase.answers:
                    total += share
                    if draw < total:
                        return result
                return "success"
            credits = self.credits.setdefault((check, index), [0.0] * len(phase.answers))
            for i, (_, share) in enumerate(phase.answers):
                credits[i] += share
            best = max(range(len(credits)), key=lambda i: (credits[i], -i))
            if credits[best] >= 1 - 1e-9:
                credits[best] -= 1
                return phase.answers[best][0]
            return "success"
        return "success"


def simulate(checks, phases, minutes, seed=1, threshold=3, interval=1, backoff_max=5):
    """Probes of `checks` (names) over `minutes`, as the exporter schedules them
    (interval and backoff_max in minutes). Returns per check a list, per
    minute, of the result of the probe made that minute or None."""
    answerer = Answerer(phases, seed)
    due = {c: 0 for c in checks}
    consecutive = {c: 0 for c in checks}
    level = {c: 0 for c in checks}
    made = {c: [None] * minutes for c in checks}
    for minute in range(minutes):
        for check in checks:
            if due[check] != minute:
                continue
            result = answerer.answer(check, minute)
            made[check][minute] = result
            down = any(consecutive[c] >= threshold for c in checks if c != check)
            if result == "success":
                consecutive[check] = 0
                level[check] = 0
                due[check] = minute + interval
                continue
            consecutive[check] += 1
            down = down or consecutive[check] >= threshold
            if down and backoff_max > 0:
                level[check] += 1
                due[check] = minute + min(interval * 2 ** level[check], max(backoff_max, interval))
            else:
                due[check] = minute + interval
    return made


def series(made, provider, instance, threshold=3, job="provider_exporter"):
    """promtool input_series for one exporter's probes of one provider."""
    minutes = len(next(iter(made.values())))
    labels = f'provider="{provider}",instance="{instance}",job="{job}"'
    out = [(f'up{{instance="{instance}",job="{job}"}}', ["1"] * minutes)]
    state_down, state_degraded, state_healthy = [], [], []
    per_check = {}
    for check, probes in made.items():
        last, consecutive, counts = None, 0, {r: 0 for r in RESULTS}
        up, cons, results, totals = [], [], {r: [] for r in RESULTS}, {r: [] for r in RESULTS}
        for result in probes:
            if result is not None:
                last = result
                consecutive = 0 if result == "success" else consecutive + 1
                counts[result] += 1
            up.append("_" if last is None else ("1" if last == "success" else "0"))
            cons.append("_" if last is None else str(consecutive))
            for r in RESULTS:
                results[r].append("1" if last == r else "_")
                totals[r].append(str(counts[r]))
        per_check[check] = (cons, up)
        c = f'check="{check}",{labels}'
        out.append((f"provider_up{{{c}}}", up))
        out.append((f"provider_consecutive_failures{{{c}}}", cons))
        out.append((f"provider_failure_threshold{{{c}}}", [str(threshold)] * minutes))
        for r in RESULTS:
            if any(v != "_" for v in results[r]):
                out.append((f'provider_last_result{{{c},result="{r}"}}', results[r]))
            out.append((f'provider_probes_total{{{c},result="{r}"}}', totals[r]))
    for minute in range(minutes):
        down = any(cons[minute] != "_" and int(cons[minute]) >= threshold for cons, _ in per_check.values())
        degraded = not down and any(up[minute] == "0" for _, up in per_check.values())
        state_down.append("1" if down else "0")
        state_degraded.append("1" if degraded else "0")
        state_healthy.append("1" if not down and not degraded else "0")
    out.append((f'provider_state{{{labels},state="down"}}', state_down))
    out.append((f'provider_state{{{labels},state="degraded"}}', state_degraded))
    out.append((f'provider_state{{{labels},state="healthy"}}', state_healthy))
    return [{"series": name, "values": " ".join(values)} for name, values in out]
