#!/usr/bin/env bash
# Probe-scale benchmark (not part of the test command; loopback only).
#
#   bash Tests/bench/probe_scale.sh [--checks 10000] [--duration 2m] [--interval 15s]
#
# A fake provider (Tests/bench/upstream.py) answers every check after 50 ms
# +/- 10 ms. The exporter (release build, or $PROVIDER_EXPORTER_BIN) runs N
# `models` checks at the interval, with debug logs (one line per probe) as the
# measuring channel. Then, in the same run, prometheus-blackbox-exporter probes
# the same fake at the same rate, driven by Tests/bench/loader.py the way
# Prometheus would call /probe. Finally, as root, the exporter starts on its
# built-in default config inside a loopback-only network namespace for the
# start-to-ready and idle figures. Prints a table; the last stdout line is JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
checks=10000
duration=2m
interval=15s
while [ $# -gt 0 ]; do
  case $1 in
    --checks) checks=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    *) echo "usage: $0 [--checks N] [--duration 2m] [--interval 15s]" >&2; exit 2 ;;
  esac
done
. Tests/bench/lib.sh   # seconds, need, bench_setup, start_upstream, free_port
duration_s=$(seconds "$duration")
interval_s=$(seconds "$interval")
warmup=20                       # every check has run once by then (first run within 15 s)
scrapes=10                      # per kind, each a fresh render (the cache keeps a body 1 s)
window=$(( duration_s - warmup - 2 * scrapes * 2 ))
[ "$window" -ge 10 ] || { echo "--duration too short: needs at least $(( warmup + 4 * scrapes + 10 ))s" >&2; exit 2; }

need bc:bc curl:curl ip:iproute2 prometheus-blackbox-exporter:prometheus-blackbox-exporter
bench_setup
now() { date +%s.%N; }
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"; }
wait_http() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }

# 1. The fake provider.
start_upstream --delay-ms 50 --jitter-ms 10 --record "$work/upstream.txt"

# 2. The exporter with N checks, one provider each.
python3 - "$checks" "$up" "$interval" > "$work/scale.yml" <<'PY'
import sys
n, port, interval = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print("providers:")
for i in range(n):
    print(f"  - name: c{i}\n    preset: openai_compatible\n    base_url: http://127.0.0.1:{port}/c{i}/v1\n"
          f"    api_key_env: BENCH_API_KEY\n    checks: [{{name: models, type: models, interval: {interval}, timeout: 5s}}]")
PY
ours=$(free_port)
BENCH_API_KEY=bench-fake-key-not-a-secret "$bin" --config.file="$work/scale.yml" --web.listen-address="127.0.0.1:$ours" \
  --log.level=debug --log.format=json 2> "$work/exporter.log" &
pids+=($!); ours_pid=$!
started=$(now)
wait_http "http://127.0.0.1:$ours/-/ready" || { tail -5 "$work/exporter.log" >&2; exit 1; }
echo "exporter: $checks checks every $interval against the fake on :$up; warming up ${warmup}s, measuring ${window}s" >&2
sleep "$warmup"
warm_end=$(now)
cpu0=$(cpu_s "$ours_pid"); window_start=$(now)
sleep "$window"
cpu1=$(cpu_s "$ours_pid"); window_end=$(now)
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")

# Scrapes, each more than the cache's 1 s window apart so each renders anew.
# CPU per render is the phase's CPU less what probing took in as long.
probe_cpu_rate=$(echo "($cpu1 - $cpu0) / ($window_end - $window_start)" | bc -l)
scrape_phase() {   # $1: extra curl args; prints p99 ms and CPU ms per scrape
  local c0 t0 times=()
  c0=$(cpu_s "$ours_pid"); t0=$(now)
  for _ in $(seq 1 "$scrapes"); do
    times+=("$(curl -sf $1 -o "$work/scrape.out" -w '%{time_total}' "http://127.0.0.1:$ours/metrics")")
    sleep 1.5
  done
  local c1 t1
  c1=$(cpu_s "$ours_pid"); t1=$(now)
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$scrapes" '{ a[NR] = $1 } END { i = int(0.99 * n) + 1; if (i > n) i = n; printf "%.1f ", a[i] * 1000 }'
  echo "(($c1 - $c0) - $probe_cpu_rate * ($t1 - $t0)) * 1000 / $scrapes" | bc -l
}
read -r scrape_p99 render_cpu <<<"$(scrape_phase "")"
series=$(grep -vc '^#' "$work/scrape.out"); bytes=$(wc -c < "$work/scrape.out")
read -r scrape_gzip_p99 gzip_cpu <<<"$(scrape_phase "-H Accept-Encoding:gzip")"
rss_scraped_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")
kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true
kill "$upstream_pid"; wait "$upstream_pid" 2>/dev/null || true
pids=()
echo "exporter done: $(grep -c '"msg":"probe"' "$work/exporter.log") probes logged" >&2

# 3. blackbox_exporter on the same fake at the same rate.
start_upstream --delay-ms 50 --jitter-ms 10
cat > "$work/blackbox.yml" <<YML
modules:
  models:
    prober: http
    timeout: 5s
    http:
      method: GET
      headers: {Authorization: "Bearer bench-fake-key-not-a-secret"}
      valid_status_codes: [200]
      preferred_ip_protocol: ip4
YML
bb=$(free_port)
prometheus-blackbox-exporter --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$bb" --log.level=warn 2> "$work/blackbox.log" &
pids+=($!); bb_pid=$!
wait_http "http://127.0.0.1:$bb/-/healthy"
echo "blackbox_exporter: the same rate through /probe; warming up 10s, measuring ${window}s" >&2
python3 Tests/bench/loader.py --port "$bb" --pid "$bb_pid" --targets "$checks" --interval "$interval_s" --warmup 10 \
  --window "$window" --path "/probe?module=models&target=http%3A%2F%2F127.0.0.1%3A$up%2Fc{i}%2Fv1%2Fmodels" > "$work/loader.json"
kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()

# 4. Start to ready and idle RSS on the built-in default, where no packet can leave.
idle_args=()
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  idle_port=$(free_port)
  unshare -n sh -c "ip link set lo up; exec python3 Tests/bench/idle.py '$bin' $idle_port" > "$work/idle.json"
  idle_args=("idle_rss_kb=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["idle_rss_kb"])' "$work/idle.json")"
             "ready_ms=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ready_ms"])' "$work/idle.json")")
  echo "idle: $(cat "$work/idle.json")" >&2
else
  echo "idle RSS and start to ready: not measured (needs root for a loopback-only network namespace)" >&2
fi

python3 Tests/bench/scale_report.py "$work/exporter.log" "$work/upstream.txt" "$work/loader.json" \
  checks="$checks" duration_s="$duration_s" interval_s="$interval_s" warm_end="$warm_end" \
  window_start="$window_start" window_end="$window_end" cpu_s="$(echo "$cpu1 - $cpu0" | bc -l)" rss_kb="$rss_kb" rss_scraped_kb="$rss_scraped_kb" \
  scrape_p99_ms="$scrape_p99" scrape_gzip_p99_ms="$scrape_gzip_p99" render_cpu_ms="$render_cpu" \
  gzip_scrape_cpu_ms="$gzip_cpu" series="$series" metrics_bytes="$bytes" "${idle_args[@]}"
