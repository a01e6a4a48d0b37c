#!/usr/bin/env bash
# The shipped alerts.yml end to end: a real Prometheus and Alertmanager, a
# webhook receiver, the exporter probing a fake with scripted faults. Checks:
# (b) an outage fires ProviderDown at the webhook and resolves after recovery
# (its keep_firing_for shortened from 10m to 15s for this run, nothing else),
# with the detection delay printed; (c) a status-page incident fires
# ProviderMajorIncident; (d) a 429 with low remaining fires ProviderRateLimitLow;
# (e) a provider with a single failed probe never alerts; (f) an invalid key
# fires ProviderAuthFailing and not ProviderDown; (g) our own rate limit (429 on
# every probe) fires ProviderRateLimited and not ProviderDown. Takes about 6 minutes: the
# rules' own `for:` windows (up to 5 m) are not shortened. Loopback only.
# Usage: alert_scenarios.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: alert_scenarios.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$here/lib.sh"
work=$(mktemp -d)
pids=()
trap 'stop_exporter; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

touch "$work/webhook.jsonl"
start_fake "$work/fake.port" "$here/alert_fake.py" "$work/webhook.jsonl"
pids+=("$FAKE_PID")
fake=$FAKE

cat > "$work/config.yml" <<YAML
global: {interval: 1s, timeout: 900ms, failure_threshold: 3, backoff_max: 0s}
providers:
  - {name: outage, preset: openai_compatible, base_url: $fake/outage/v1}
  - {name: badkey, preset: openai_compatible, base_url: $fake/badkey/v1, api_key_env: FAKE_KEY}
  - {name: limited, preset: openai_compatible, base_url: $fake/limited/v1}
  - {name: steady, preset: openai_compatible, base_url: $fake/steady/v1}
  - {name: incident, status_page: {url: $fake/incident, format: statuspage}}
YAML
FAKE_KEY=test-fake-key start_exporter "$work/exporter.log" --config.file="$work/config.yml"

# The shipped rules, with one change: ProviderDown's keep_firing_for (10m,
# one notification per incident) shortened to 15s, so that (b) sees the
# resolution within the run. Everything else is alerts.yml as shipped.
sed 's/^\(\s*\)keep_firing_for: 10m$/\1keep_firing_for: 15s/' "$root/alerts.yml" > "$work/alerts.yml"
[ "$(diff "$root/alerts.yml" "$work/alerts.yml" | grep -c '^[<>]')" = 2 ] \
  || { echo "FAIL - the scenario's alerts.yml must differ from the shipped one only in keep_firing_for"; exit 1; }
start_alerting "$work" "$fake/webhook" "$work/alerts.yml" "\"127.0.0.1:$PORT\""
pids+=("$AM_PID" "$PROM_PID")
prom_url=$PROM

python3 - "$work/webhook.jsonl" "$fake" "$prom_url" "$here" <<'PY'
import sys, time, urllib.request
sys.path.insert(0, sys.argv[4])
from alerting import Alerting
hook, fake, prom = sys.argv[1], sys.argv[2], sys.argv[3]
a = Alerting(hook, prom)
check, notifications, wait_for, query = a.check, a.notifications, a.wait_for, a.query

start = time.time()
while time.time() - start < 60 and not query('provider_up{provider="outage"} == 1'):
    time.sleep(0.5)
check("Prometheus scrapes the exporter and sees outage up", bool(query('provider_up{provider="outage"} == 1')))

# (b) an outage: fires, with its detection delay, then resolves after recovery.
urllib.request.urlopen(fake + "/control?outage=fail").read()
outage_at = time.time()
down = wait_for(lambda t, s, l: l.get("alertname") == "ProviderDown" and l.get("provider") == "outage" and s == "firing", 180)
check("(b) ProviderDown for the outage reaches the webhook", down is not None)
if down:
    print(f"detection delay (outage start to webhook): {down[0] - outage_at:.1f} s", flush=True)
urllib.request.urlopen(fake + "/control?outage=ok").read()
resolved = wait_for(lambda t, s, l: l.get("alertname") == "ProviderDown" and l.get("provider") == "outage" and s == "resolved", 180)
check("(b) ProviderDown resolves after recovery", resolved is not None)

# (c) (d) (f): the rules' own for: windows run from the start (up to 5 m).
incident = wait_for(lambda t, s, l: l.get("alertname") == "ProviderMajorIncident" and l.get("provider") == "incident" and l.get("severity") == "critical", 120)
check("(c) a critical status-page incident fires ProviderMajorIncident (critical)", incident is not None)
auth = wait_for(lambda t, s, l: l.get("alertname") == "ProviderAuthFailing" and l.get("provider") == "badkey", 420 - (time.time() - start))
check("(f) an invalid key fires ProviderAuthFailing", auth is not None)
limited = wait_for(lambda t, s, l: l.get("alertname") == "ProviderRateLimitLow" and l.get("provider") == "limited", 480 - (time.time() - start))
check("(d) a 429 with low remaining fires ProviderRateLimitLow", limited is not None)
rate_limited = wait_for(lambda t, s, l: l.get("alertname") == "ProviderRateLimited" and l.get("provider") == "limited", 480 - (time.time() - start))
check("(g) our own rate limit fires ProviderRateLimited", rate_limited is not None)

everything = notifications()
check("(f) the invalid key never fires ProviderDown or a burn-rate page",
      not [n for n in everything if n[2].get("provider") == "badkey" and n[2].get("alertname") in ("ProviderDown", "ProviderAvailabilityBudgetBurn")])
check("(g) our own rate limit never fires ProviderDown or a burn-rate page",
      not [n for n in everything if n[2].get("provider") == "limited" and n[2].get("alertname") in ("ProviderDown", "ProviderAvailabilityBudgetBurn")])
steady_failed = query('provider_probes_total{provider="steady",result="server_error"}')
check("(e) the steady provider did fail once", bool(steady_failed) and float(steady_failed[0]["value"][1]) >= 1)
check("(e) the steady provider, with its single failure, never alerts",
      not [n for n in everything if n[2].get("provider") == "steady"])
sys.exit(a.summary("alert scenarios"))
PY
