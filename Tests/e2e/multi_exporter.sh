#!/usr/bin/env bash
# Several exporters, one truth: three exporters on loopback, each with its own
# config naming the same providers, one of them (the "blind" location) pointed
# by its base_url at a fake that times out; a real Prometheus scrapes all three
# with alerts.yml; a real Alertmanager sends to a webhook. Checks: every
# recording rule and dashboard query evaluates without error with three
# exporters; the blind exporter alone produces no notification (its
# per-exporter AllProvidersDown warning is under way and names it); when all three see the
# outage, Alertmanager delivers exactly one ProviderDown notification for that
# provider. About 3 minutes. Loopback only.
# Usage: multi_exporter.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: multi_exporter.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$here/lib.sh"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

touch "$work/webhook.jsonl"
start_fake "$work/fake.port" "$here/alert_fake.py" "$work/webhook.jsonl"
pids+=("$FAKE_PID")
fake=$FAKE

# Each location's config names the same providers. openai is the one that goes
# down; steady stays up everywhere (so AllProvidersDown has two API providers).
targets=()
for location in blind east west; do
  openai=$fake/outage/v1
  steady=$fake/ok-$location/v1
  if [ "$location" = blind ]; then openai=$fake/hang/v1; steady=$fake/hang/v1; fi
  cat > "$work/$location.yml" <<YAML
global: {interval: 1s, timeout: 900ms, failure_threshold: 3, backoff_max: 0s}
providers:
  - {name: openai, preset: openai_compatible, base_url: $openai}
  - {name: steady, preset: openai_compatible, base_url: $steady}
YAML
  start_exporter "$work/$location.log" --config.file="$work/$location.yml"
  pids+=("$EXPORTER_PID")
  targets+=("\"127.0.0.1:$PORT\"")
  echo "$location exporter on 127.0.0.1:$PORT"
  eval "port_$location=$PORT"
done

start_alerting "$work" "$fake/webhook" "$root/alerts.yml" "$(IFS=,; echo "${targets[*]}")"
pids+=("$AM_PID" "$PROM_PID")
prom_url=$PROM

python3 - "$work/webhook.jsonl" "$fake" "$prom_url" "127.0.0.1:$port_blind" "$root" "$here" <<'PY'
import json, sys, time, urllib.request, yaml
sys.path.insert(0, sys.argv[6])
from alerting import Alerting
hook, fake, prom, blind, root = sys.argv[1:6]
a = Alerting(hook, prom)
check, notifications, query, values = a.check, a.notifications, a.answer, a.query

start = time.time()
# Prometheus starts scraping each target at its own offset: wait for all three.
while time.time() - start < 60 and (len(values('provider_exporter_build_info')) < 3
                                    or len(values('provider_up{provider="steady"} == 1')) < 2):
    time.sleep(0.5)
check("Prometheus scrapes three exporters", len(values('provider_exporter_build_info')) == 3)
check("two locations see steady up", len(values('provider_up{provider="steady"} == 1')) == 2)

# Phase 1: only the blind location sees openai (and everything) down.
deadline = start + 85
while time.time() < deadline:
    time.sleep(1)
blind_down = values('provider_check:outage{provider="openai"}')
check("the blind location sees openai's outage", [r["metric"]["instance"] for r in blind_down] == [blind])
check("(blind alone) no ProviderDown notification",
      not [n for n in notifications() if n[2].get("alertname") == "ProviderDown"])
check("(blind alone) no critical notification at all",
      not [n for n in notifications() if n[2].get("severity") == "critical"])
# AllProvidersDown (for: 2m) is pending by now, for the blind exporter only, as a warning.
warn = values('ALERTS{alertname="AllProvidersDown"}')
check("(blind alone) AllProvidersDown is under way for the blind exporter only, as a warning",
      bool(warn) and all(r["metric"].get("instance") == blind and r["metric"].get("severity") == "warning" for r in warn))

# Every recording rule and dashboard query evaluates without error with three exporters.
rules = [r for g in yaml.safe_load(open(f"{root}/alerts.yml"))["groups"] for r in g["rules"]]
dash = json.load(open(f"{root}/grafana/provider_exporter.json"))
exprs = [r["expr"] for r in rules] + [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
errors = []
for e in exprs:
    e = e.replace("$__rate_interval", "1m").replace("$provider", ".*").replace("$check", ".*").replace("$instance", ".*")
    try:
        if query(e)["status"] != "success":
            errors.append(e)
    except Exception as error:
        errors.append(f"{' '.join(e.split())[:80]}: {error}")
check(f"all {len(exprs)} rule and dashboard expressions evaluate with three exporters" + (f" ({errors[:3]})" if errors else ""), not errors)
scores = values("provider:routing_score")
check("the routing score stays per exporter", len({r["metric"]["instance"] for r in scores}) == 3)

# Phase 2: the outage everywhere (the two other locations now get 500s).
urllib.request.urlopen(fake + "/control?outage=fail").read()
outage_at = time.time()
def firing_down():
    return [n for n in notifications() if n[2].get("alertname") == "ProviderDown" and n[2].get("provider") == "openai" and n[1] == "firing"]
while time.time() - outage_at < 120 and not firing_down():
    time.sleep(0.5)
if firing_down():
    print(f"detection delay (outage everywhere to webhook): {firing_down()[0][0] - outage_at:.1f} s", flush=True)
time.sleep(10)  # room for any duplicate to arrive
down = firing_down()
check("(all three) exactly one ProviderDown notification for openai", len(down) == 1)
check("(all three) it is one alert per provider, not per exporter",
      bool(down) and "instance" not in down[0][2])
check("steady never pages", not [n for n in notifications() if n[2].get("provider") == "steady" and n[2].get("severity") == "critical"])
sys.exit(a.summary("multi exporter"))
PY
