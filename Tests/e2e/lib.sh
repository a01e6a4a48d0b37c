# Shared helpers for the end-to-end scripts: start the built exporter on an
# ephemeral loopback port, and count checks. Source it; do not run it.

PASSED=0
FAILED=0

check() { # check "description" command...
  local what=$1; shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok   - $what"
  else FAILED=$((FAILED + 1)); echo "FAIL - $what"; fi
}

summary() {
  echo "e2e: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# start_exporter LOGFILE [flags...]: sets EXPORTER_PID and PORT.
start_exporter() {
  local log=$1; shift
  "$BIN/provider_exporter" --web.listen-address=127.0.0.1:0 "$@" 2>"$log" &
  EXPORTER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*msg=listening .*port=\([0-9]*\).*/\1/p' "$log" | head -n1)
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "exporter did not start:"; cat "$log"; return 1
}

stop_exporter() {
  kill "$EXPORTER_PID" 2>/dev/null || true
  wait "$EXPORTER_PID" 2>/dev/null || true
}

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_fake PORTFILE SCRIPT [args...]: runs a Python fake that prints its port,
# waits (bounded) for that port, and sets FAKE_PID and FAKE (its base URL).
start_fake() {
  local portfile=$1; shift
  python3 "$@" > "$portfile" &
  FAKE_PID=$!
  for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
  [ -s "$portfile" ] || { echo "fake $1 did not start"; return 1; }
  FAKE="http://127.0.0.1:$(cat "$portfile")"
}

# start_alerting WORKDIR WEBHOOK_URL RULES TARGETS: a real Alertmanager sending to
# the webhook (grouped by alertname and provider, as README advises) and a real
# Prometheus (1 s scrapes and evaluations) loading RULES and scraping TARGETS
# (a YAML list body, e.g. '"127.0.0.1:9641", "127.0.0.1:9642"') as job
# provider_exporter. Sets AM_PID, PROM_PID and PROM (its base URL).
start_alerting() {
  local work=$1 hook=$2 rules=$3 targets=$4 am prom
  am=$(free_port)
  cat > "$work/alertmanager.yml" <<YAML
route: {receiver: hook, group_by: [alertname, provider], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers:
  - name: hook
    webhook_configs: [{url: "$hook", send_resolved: true}]
YAML
  prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
    --web.listen-address="127.0.0.1:$am" --cluster.listen-address="" --log.level=warn > "$work/am.log" 2>&1 &
  AM_PID=$!
  prom=$(free_port)
  cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$rules]
alerting: {alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$am"]}]}]}
scrape_configs:
  - job_name: provider_exporter
    static_configs: [{targets: [$targets]}]
YAML
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
    --web.listen-address="127.0.0.1:$prom" --log.level=warn > "$work/prom.log" 2>&1 &
  PROM_PID=$!
  PROM="http://127.0.0.1:$prom"
  # Both answer /-/ready once their config is loaded; on a loaded machine that
  # takes seconds, and the first query must not race it (bounded: 60 s).
  local ready
  for url in "http://127.0.0.1:$am/-/ready" "$PROM/-/ready"; do
    ready=""
    for _ in $(seq 1 600); do
      if curl -sf -o /dev/null "$url"; then ready=yes; break; fi
      sleep 0.1
    done
    [ -n "$ready" ] || { echo "not ready after 60 s: $url"; tail -5 "$work/prom.log" "$work/am.log"; return 1; }
  done
}
