#!/usr/bin/env bash
# Validates the live /metrics output with independent parsers: promtool (Go,
# the Prometheus server's own parser and linter) and Python prometheus_client's
# text and OpenMetrics parsers. Usage: Tests/e2e/validate_metrics.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: validate_metrics.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
fake_pid=""
trap 'stop_exporter; [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$work"' EXIT

# A fake provider, so that the output holds provider series too (one healthy
# provider, one failing), not only the exporter's own.
start_fake "$work/fake.port" "$here/fake_provider.py"
fake_pid=$FAKE_PID
cat > "$work/config.yml" <<YAML
global: {interval: 1s, timeout: 500ms}
providers:
  - name: gateway
    preset: openai_compatible
    base_url: $FAKE/v1
    checks: [{name: models, type: models, expect_model: llama-3.1-8b}]
  - name: broken
    preset: openai_compatible
    base_url: $FAKE/broken
  - name: statuspage
    status_page: {url: $FAKE/status, format: statuspage}
YAML
start_exporter "$work/log" --config.file="$work/config.yml"
url="http://127.0.0.1:$PORT/metrics"
for _ in $(seq 1 100); do
  curl -sf "$url" | grep -q '^provider_up{check="models",provider="broken"} 0' && \
    curl -sf "$url" | grep -q '^provider_up{check="models",provider="gateway"} 1' && \
    curl -sf "$url" | grep -q '^provider_status_page_up{provider="statuspage"} 1' && break
  sleep 0.1
done
prom3_accept='application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'

curl -sf "$url" -o "$work/text"
curl -sf --compressed "$url" -o "$work/text.gz-decoded"
curl -sf -H "Accept: $prom3_accept" --compressed "$url" -o "$work/om"

promtool_clean() { # no lint findings and exit 0
  local out; out=$(promtool check metrics < "$1" 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }
}
python_text() {
  python3 - "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
names = {f.name for f in fams}
assert "provider_exporter_build_info" in names, names
assert "provider_probe_duration_seconds" in names, names
samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams for s in f.samples}
assert samples[("provider_up", (("check", "models"), ("provider", "gateway")))] == 1, "gateway not up"
assert samples[("provider_up", (("check", "models"), ("provider", "broken")))] == 0, "broken not down"
assert samples[("provider_ratelimit_remaining", (("check", "models"), ("provider", "gateway"), ("resource", "requests")))] == 42
assert samples[("provider_component_status", (("component", 'API "v1"'), ("provider", "statuspage"), ("status", "degraded_performance")))] == 1
assert samples[("provider_incidents", (("impact", "minor"), ("provider", "statuspage")))] == 1
assert "process_cpu_seconds" in names, names   # the parser strips _total from counters
PY
}
python_openmetrics() {
  python3 - "$1" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert fams["process_cpu_seconds"].type == "counter", fams.keys()
assert fams["provider_exporter_build_info"].type == "gauge"
assert fams["provider_probe_duration_seconds"].type == "histogram"
assert fams["provider_probes"].type == "counter"
assert fams["provider_state"].type == "gauge"
PY
}

check "promtool check metrics: live text output" promtool_clean "$work/text"
check "promtool check metrics: live gzip output" promtool_clean "$work/text.gz-decoded"
check "promtool check metrics: golden text file" promtool_clean "$here/../ProviderExporterTests/Golden/exposition.txt"
check "prometheus_client text parser: live output" python_text "$work/text"
check "prometheus_client OpenMetrics parser: live output (Prometheus 3 Accept)" python_openmetrics "$work/om"
check "prometheus_client OpenMetrics parser: golden file" python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as p
list(p(open(sys.argv[1]).read()))' "$here/../ProviderExporterTests/Golden/exposition.openmetrics.txt"
summary
