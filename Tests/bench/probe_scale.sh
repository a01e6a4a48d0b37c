#!/usr/bin/env bash
# Probe-scale benchmark (not part of the test command; loopback only).
#
#   bash Tests/bench/probe_scale.sh [--checks 10000] [--duration 150s] [--interval 15s] [--scrapes 50]
#
# A fake provider (Tests/bench/upstream.py) answers every check after 50 ms
# +/- 10 ms. The exporter (release build, or $PROVIDER_EXPORTER_BIN) runs N
# `models` checks at the interval, with debug logs (one line per probe) as the
# measuring channel; CPU per probe is read over --duration less a 20 s warm-up.
# Then, still probing, --scrapes gzip scrapes of /metrics (p99). Then probing
# pauses (a reload of the same checks at a 1 h interval; their first runs fall
# within 15 s) and --scrapes plain scrapes measure one render's CPU with
# nothing else running, and the RSS after all scrapes. zlib level 1 is timed
# on the scraped body. In the same run, prometheus-blackbox-exporter probes the
# same fake at the same rate, driven by Tests/bench/loader.py the way
# Prometheus would call /probe. Finally, as root, the exporter starts on its
# built-in default config inside a loopback-only network namespace for the
# start-to-ready and idle figures, beside blackbox_exporter and node_exporter
# started the same way. Prints a table; the last stdout line is JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
checks=10000
duration=150s
interval=15s
scrapes=50                      # per kind, each a fresh render (the cache keeps a body 1 s)
while [ $# -gt 0 ]; do
  case $1 in
    --checks) checks=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --scrapes) scrapes=$2; shift 2 ;;
    *) echo "usage: $0 [--checks N] [--duration 150s] [--interval 15s] [--scrapes 50]" >&2; exit 2 ;;
  esac
done
. Tests/bench/lib.sh   # seconds, need, bench_setup, start_upstream, scale_config, free_port
duration_s=$(seconds "$duration")
interval_s=$(seconds "$interval")
warmup=20                       # every check has run once by then (first run within 15 s)
window=$(( duration_s - warmup ))
[ "$window" -ge 10 ] || { echo "--duration too short: needs at least $(( warmup + 10 ))s" >&2; exit 2; }

need bc:bc curl:curl ip:iproute2 prometheus-blackbox-exporter:prometheus-blackbox-exporter \
  prometheus-node-exporter:prometheus-node-exporter
bench_setup
now() { date +%s.%N; }
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"; }
wait_http() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }

# 1. The fake provider.
start_upstream --delay-ms 50 --jitter-ms 10 --record "$work/upstream.txt"

# 2. The exporter with N checks, one provider each.
scale_config "$interval" > "$work/scale.yml"
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
probe_cpu_s=$(echo "$cpu1 - $cpu0" | bc -l)
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")

# Scrapes, each more than the cache's 1 s window apart so each renders anew.
probe_cpu_rate=$(echo "($cpu1 - $cpu0) / ($window_end - $window_start)" | bc -l)
scrape_phase() {   # $1: extra curl args, $2: CPU/s to subtract; prints p99 ms and CPU ms per scrape
  local c0 t0 times=()
  c0=$(cpu_s "$ours_pid"); t0=$(now)
  for _ in $(seq 1 "$scrapes"); do
    times+=("$(curl -sf $1 -o "$work/scrape.out" -w '%{time_total}' "http://127.0.0.1:$ours/metrics")")
    sleep 1.1
  done
  local c1 t1
  c1=$(cpu_s "$ours_pid"); t1=$(now)
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$scrapes" '{ a[NR] = $1 } END { i = int(0.99 * n) + 1; if (i > n) i = n; printf "%.1f ", a[i] * 1000 }'
  echo "(($c1 - $c0) - $2 * ($t1 - $t0)) * 1000 / $scrapes" | bc -l
}
# 2a. Gzip scrapes while probing runs (its CPU subtracted for the per-scrape figure).
echo "exporter: $scrapes gzip scrapes while probing" >&2
read -r scrape_gzip_p99 gzip_cpu <<<"$(scrape_phase "-H Accept-Encoding:gzip" "$probe_cpu_rate")"
rss_gzip_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")
# 2b. Probing paused: the same checks at a 1 h interval (state kept); their
# first runs fall within 15 s of the reload.
scale_config 1h > "$work/scale.yml"
curl -sf -X POST -o /dev/null "http://127.0.0.1:$ours/-/reload"
sleep 20
c0=$(cpu_s "$ours_pid"); sleep 5; c1=$(cpu_s "$ours_pid")
paused_cpu_ms=$(echo "($c1 - $c0) * 1000 / 5" | bc -l)
echo "exporter: probing paused (CPU $(printf %.0f "$paused_cpu_ms") ms/s); $scrapes plain scrapes" >&2
read -r scrape_p99 render_cpu <<<"$(scrape_phase "" 0)"
series=$(grep -vc '^#' "$work/scrape.out"); bytes=$(wc -c < "$work/scrape.out")
rss_scraped_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")
zlib_ms=$(python3 -c 'import sys, time, zlib
data = open(sys.argv[1], "rb").read()
best = min((lambda t0: (zlib.compressobj(1, zlib.DEFLATED, 31).compress(data), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(5))
print(best * 1000)' "$work/scrape.out")
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

# 4. Start to ready and idle RSS on the built-in default, where no packet can
# leave, beside blackbox_exporter and node_exporter started the same way.
idle_args=()
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  idle_port=$(free_port)
  unshare -n sh -c "ip link set lo up; exec python3 Tests/bench/idle.py '$bin' $idle_port \
    --compare blackbox=$(command -v prometheus-blackbox-exporter) --compare node=$(command -v prometheus-node-exporter)" > "$work/idle.json"
  field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/idle.json" "$1"; }
  idle_args=("idle_rss_kb=$(field idle_rss_kb)" "ready_ms=$(field ready_ms)"
             "blackbox_idle_rss_kb=$(field blackbox_idle_rss_kb)" "node_idle_rss_kb=$(field node_idle_rss_kb)")
  echo "idle: $(cat "$work/idle.json")" >&2
else
  echo "idle RSS and start to ready: not measured (needs root for a loopback-only network namespace)" >&2
fi

python3 Tests/bench/scale_report.py "$work/exporter.log" "$work/upstream.txt" "$work/loader.json" \
  checks="$checks" duration_s="$duration_s" interval_s="$interval_s" warm_end="$warm_end" \
  window_start="$window_start" window_end="$window_end" cpu_s="$probe_cpu_s" rss_kb="$rss_kb" rss_scraped_kb="$rss_scraped_kb" \
  rss_gzip_kb="$rss_gzip_kb" scrapes="$scrapes" scrape_p99_ms="$scrape_p99" scrape_gzip_p99_ms="$scrape_gzip_p99" render_cpu_ms="$render_cpu" \
  paused_cpu_ms="$paused_cpu_ms" zlib_level1_ms="$zlib_ms" \
  gzip_scrape_cpu_ms="$gzip_cpu" series="$series" metrics_bytes="$bytes" "${idle_args[@]}"
