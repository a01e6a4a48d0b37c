#!/usr/bin/env bash
# Soak test (not part of the test command; loopback only).
#
#   bash Tests/bench/soak.sh [--checks 2000] [--probes 200000] [--duration 15m] [--warmup 120s]
#
# The exporter (release build, or $PROVIDER_EXPORTER_BIN) probes a fake provider
# (Tests/bench/upstream.py --mix soak) that answers with a fixed mix: 70%
# success, 5% hang past the timeout, 5% reset before the headers, 5% reset
# mid-body, 10% 429 with Retry-After, 5% a trickled body. Checks run every 2 s
# with a 1 s timeout until --probes have completed (or --duration passes).
# Every 10 s it samples RSS, open file descriptors and probes completed. Pass:
# RSS growth after the warm-up under 5% and no file-descriptor growth. Growth
# compares the mean of the last third of the samples after the warm-up with the
# mean of the first third: single samples sit anywhere on malloc's sawtooth
# (about 15 MB at 2,000 checks). RSS climbs for the first two minutes or so
# (every check's state filling in, malloc arenas warming), hence the warm-up. Prints
# the curve and, as the last stdout line, one JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
checks=2000
probes=200000
duration=15m
warmup=120s
while [ $# -gt 0 ]; do
  case $1 in
    --checks) checks=$2; shift 2 ;;
    --probes) probes=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) echo "usage: $0 [--checks N] [--probes N] [--duration 15m] [--warmup 120s]" >&2; exit 2 ;;
  esac
done
. Tests/bench/lib.sh   # seconds, need, bench_setup, start_upstream, free_port
duration_s=$(seconds "$duration")
warmup_s=$(seconds "$warmup")
need curl:curl bc:bc
bench_setup

start_upstream --mix soak --hang-s 5 --record "$work/mix.txt"
python3 - "$checks" "$up" > "$work/soak.yml" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
print("global: {interval: 2s, timeout: 1s, backoff_max: 8s}\nproviders:")
for i in range(n):
    print(f"  - name: s{i}\n    preset: openai_compatible\n    base_url: http://127.0.0.1:{port}/s{i}/v1\n"
          f"    api_key_env: BENCH_API_KEY")
PY
ours=$(free_port)
BENCH_API_KEY=bench-fake-key-not-a-secret "$bin" --config.file="$work/soak.yml" --web.listen-address="127.0.0.1:$ours" \
  --log.level=warn 2> "$work/exporter.log" &
pids+=($!); ours_pid=$!
for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:$ours/-/ready" && break; sleep 0.05; done

echo "soak: $checks checks against the fault mix on :$up until $probes probes or ${duration_s}s" >&2
printf '%8s %10s %8s %6s\n' elapsed probes rss_mb fds
start=$(date +%s)
: > "$work/samples.txt"
while :; do
  sleep 10
  elapsed=$(( $(date +%s) - start ))
  done_probes=$(curl -sf "http://127.0.0.1:$ours/metrics" | awk '/^provider_probes_total/ { s += $NF } END { printf "%d", s }')
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$ours_pid/status")
  fds=$(ls "/proc/$ours_pid/fd" | wc -l)
  echo "$elapsed $done_probes $rss $fds" >> "$work/samples.txt"
  printf '%8s %10s %8.1f %6s\n' "$elapsed" "$done_probes" "$(echo "$rss / 1024" | bc -l)" "$fds"
  [ "$done_probes" -ge "$probes" ] || [ "$elapsed" -ge "$duration_s" ] && break
done
kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true
kill "$upstream_pid"; wait "$upstream_pid" 2>/dev/null || true
pids=()

python3 - "$work/samples.txt" "$work/mix.txt" "$warmup_s" "$checks" "$probes" <<'PY'
import json, sys
samples = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
mix = {k: int(v) for k, v in (l.split() for l in open(sys.argv[2]))}
warmup, checks, goal = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
after = [s for s in samples if s[0] >= warmup]
if len(after) < 3:
    sys.exit("soak too short for its warm-up: give --duration more than --warmup plus 30 s")
base, last = after[0], after[-1]
third = max(1, len(after) // 3)
early, late = sum(s[2] for s in after[:third]) / third, sum(s[2] for s in after[-third:]) / third
rss_growth = (late - early) / early * 100
rss_max_growth = (max(s[2] for s in after) - base[2]) / base[2] * 100
# Sockets of probes in flight come and go; growth means the later half sits
# higher than the earlier half ever did.
half = len(after) // 2
fd_early, fd_late = max(s[3] for s in after[:half]), max(s[3] for s in after[half:])
out = {"checks": checks, "duration_s": samples[-1][0], "probes": samples[-1][1], "probes_goal": goal,
       "probes_per_s": samples[-1][1] / samples[-1][0], "upstream_mix": mix,
       "rss_mb_early_mean": early / 1024, "rss_mb_late_mean": late / 1024, "rss_mb_warm": base[2] / 1024, "rss_mb_last": last[2] / 1024, "rss_mb_max": max(s[2] for s in after) / 1024,
       "rss_growth_pct": rss_growth, "rss_max_growth_pct": rss_max_growth,
       "fds_warm": base[3], "fds_last": last[3], "fds_max_early": fd_early, "fds_max_late": fd_late,
       "rss_ok": rss_growth < 5, "fds_ok": fd_late <= fd_early, "probes_ok": samples[-1][1] >= goal}
print(f"\nupstream answered: {', '.join(f'{k} {v}' for k, v in mix.items())}")
print(f"RSS after warm-up ({base[0]} s): mean of the first third {early / 1024:.1f} MB, of the last third {late / 1024:.1f} MB "
      f"({rss_growth:+.2f}%: {'ok' if out['rss_ok'] else 'GROWS'}, goal < 5%); first {out['rss_mb_warm']:.1f}, "
      f"last {out['rss_mb_last']:.1f}, max {out['rss_mb_max']:.1f} MB")
print(f"open fds: {base[3]} after warm-up, {last[3]} last; max {fd_early} in the first half, {fd_late} in the second: "
      f"{'ok' if out['fds_ok'] else 'GROWS'}")
print(f"probes: {samples[-1][1]} in {samples[-1][0]} s ({out['probes_per_s']:.0f}/s): {'ok' if out['probes_ok'] else 'short of ' + str(goal)}")
print(json.dumps(out))
PY
