#!/usr/bin/env bash
# One render's CPU at scale, nothing else running (not part of the test
# command; loopback only).
#
#   bash Tests/bench/render_profile.sh [--checks 10000] [--scrapes 20] [--perf] [BIN...]
#
# For each binary (default: the release build), a fake provider answers N
# `models` checks once (every 15 s, then the same checks reloaded at a 1 h
# interval, so probing stops with every check's state filled in), and
# --scrapes plain then --scrapes gzip scrapes of /metrics, 1.05 s apart (the
# cache keeps a body 1 s, so each renders anew), give the exporter's CPU per
# scrape and its RSS after them. Several binaries run one after the other in
# the same invocation: a before/after comparison. With --perf, `perf record
# -g` samples each kind of scrape into $PWD/render-<kind>.data (the last binary's).
set -euo pipefail
cd "$(dirname "$0")/../.."
checks=10000
scrapes=20
use_perf=0
bins=()
while [ $# -gt 0 ]; do
  case $1 in
    --checks) checks=$2; shift 2 ;;
    --scrapes) scrapes=$2; shift 2 ;;
    --perf) use_perf=1; shift ;;
    -*) echo "usage: $0 [--checks N] [--scrapes N] [--perf] [BIN...]" >&2; exit 2 ;;
    *) bins+=("$1"); shift ;;
  esac
done
. Tests/bench/lib.sh   # need, bench_setup, start_upstream, scale_config, free_port
need bc:bc curl:curl
[ ${#bins[@]} -eq 0 ] || PROVIDER_EXPORTER_BIN=${bins[0]}   # no release build needed
bench_setup
[ ${#bins[@]} -gt 0 ] || bins=("$bin")
[ "$use_perf" = 0 ] || need perf:linux-perf
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_upstream --delay-ms 5
for b in "${bins[@]}"; do
  scale_config 15s > "$work/scale.yml"
  port=$(free_port)
  BENCH_API_KEY=bench-fake-key-not-a-secret "$b" --config.file="$work/scale.yml" --web.listen-address="127.0.0.1:$port" 2> "$work/exporter.log" &
  pid=$!; pids+=("$pid")
  sleep 18                                   # every check's first run falls within 15 s
  scale_config 1h > "$work/scale.yml"
  curl -sf -X POST -o /dev/null "http://127.0.0.1:$port/-/reload"
  sleep 20                                   # their next runs are an hour away
  for kind in plain gzip; do
    header=(); [ "$kind" = gzip ] && header=(-H "Accept-Encoding: gzip")
    if [ "$use_perf" = 1 ]; then
      perf record -F 2000 -g -p "$pid" -o "render-$kind.data" 2>/dev/null & perf_pid=$!
      sleep 1
    fi
    c0=$(cpu_s "$pid")
    for _ in $(seq 1 "$scrapes"); do
      curl -sf "${header[@]}" -o "$work/body" "http://127.0.0.1:$port/metrics"
      sleep 1.05
    done
    c1=$(cpu_s "$pid")
    if [ "$use_perf" = 1 ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
    printf '%s %s: %.1f ms CPU per scrape, %d bytes, RSS %.1f MB\n' "$b" "$kind" \
      "$(echo "($c1 - $c0) * 1000 / $scrapes" | bc -l)" "$(wc -c < "$work/body")" "$(echo "$(rss_kb "$pid") / 1024" | bc -l)"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
