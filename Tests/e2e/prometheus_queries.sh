#!/usr/bin/env bash
# A real Prometheus loads alerts.yml and scrapes the exporter, which probes a
# fake provider exercising every family (models, streamed chat, balance, rate
# limits, a status page with an incident, a failing provider). Then every recording rule and
# every dashboard query must return data, without error, from Prometheus'
# query API. Loopback only. Usage: prometheus_queries.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: prometheus_queries.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$here/lib.sh"
work=$(mktemp -d)
fake_pid=""; prom_pid=""
trap 'stop_exporter; for p in $fake_pid $prom_pid; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

start_fake "$work/fake.port" "$here/fake_provider.py"
fake_pid=$FAKE_PID
fake=$FAKE
cat > "$work/config.yml" <<YAML
global: {interval: 1s, timeout: 900ms, backoff_max: 0s}   # broken keeps failing every second
providers:
  - name: gateway
    preset: openai_compatible
    base_url: $fake/v1
    status_page: {url: $fake/status, format: statuspage}
    checks:
      - {name: models, type: models, expect_model: llama-3.1-8b}
      - {name: chat, type: chat, model: llama-3.1-8b, stream: true, interval: 1s}
  - name: broken
    preset: openai_compatible
    base_url: $fake/broken
  - name: limited
    preset: openai_compatible
    base_url: $fake/limited
  - name: retired
    preset: openai_compatible
    base_url: $fake/retired
  - name: region
    preset: openai_compatible
    base_url: $fake/region
  - name: badkey
    preset: openai_compatible
    base_url: $fake/badkey
  - name: quota
    preset: openai_compatible
    base_url: $fake/quota
  - name: credit
    preset: deepseek
    base_url: $fake/ds
    api_key_env: FAKE_KEY
    checks: [{name: balance, type: balance}]
YAML
FAKE_KEY=test-fake-key start_exporter "$work/exporter.log" --config.file="$work/config.yml"

prom=$(free_port)
mkdir -p "$work/prometheus"
cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$root/alerts.yml]
scrape_configs:
  - job_name: provider_exporter
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
  --web.listen-address="127.0.0.1:$prom" --log.level=warn > "$work/prometheus.log" 2>&1 &
prom_pid=$!

# Wait (bounded) until the slowest recorded series exist: the burn rates need
# several failures in their windows (the fast one at least 6).
ready=""
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$prom/api/v1/query?query=provider_instance:budget_burn_slow:ratio" | grep -q '"result":\[{' \
     && curl -sf "http://127.0.0.1:$prom/api/v1/query?query=provider_instance:budget_burn_fast:ratio" | grep -q '"result":\[{'; then
    ready=yes; break
  fi
  sleep 0.5
done
[ -n "$ready" ] || { echo "Prometheus never recorded the rules"; tail -20 "$work/prometheus.log"; exit 1; }
sleep 3  # a few more evaluations, so rate() windows hold several samples

python3 - "$root" "http://127.0.0.1:$prom" <<'PY'
import json, sys, urllib.parse, urllib.request, yaml
root, prom = sys.argv[1], sys.argv[2]
dash = json.load(open(f"{root}/grafana/provider_exporter.json"))
exprs = [("panel " + p["title"], t["expr"]) for p in dash["panels"] for t in p.get("targets", [])]
rules = [r for g in yaml.safe_load(open(f"{root}/alerts.yml"))["groups"] for r in g["rules"]]
exprs += [("rule " + r["record"], r["expr"]) for r in rules if "record" in r]
def concrete(e):
    return e.replace("$__rate_interval", "1m").replace("$provider", ".*").replace("$check", ".*").replace("$instance", ".*")
bad = 0
for what, expr in exprs:
    url = f"{prom}/api/v1/query?query=" + urllib.parse.quote(concrete(expr))
    try:
        answer = json.load(urllib.request.urlopen(url, timeout=10))
        ok = answer["status"] == "success" and len(answer["data"]["result"]) > 0
        why = "" if ok else "no data"
    except Exception as error:
        ok, why = False, str(error)
    print(("ok   - " if ok else "FAIL - ") + f"{what}: {' '.join(expr.split())[:70]}" + (f" ({why})" if why else ""))
    bad += 0 if ok else 1
print(f"prometheus queries: {len(exprs) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
