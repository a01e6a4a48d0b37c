# Shared by the probing benchmarks (probe_scale.sh, soak.sh); sourced from the
# repository root. Functions only.

. Tests/e2e/lib.sh   # free_port

seconds() { case $1 in *ms) echo "scale=3; ${1%ms}/1000" | bc ;; *s) echo "${1%s}" ;; *m) echo "$(( ${1%m} * 60 ))" ;; *) echo "$1" ;; esac; }

# Installs the Debian packages given as COMMAND:PACKAGE pairs whose command is missing.
need() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Sets $bin: the release binary, or the prebuilt one in $PROVIDER_EXPORTER_BIN;
# $work, a scratch directory; and a trap that stops "${pids[@]}" and removes it.
bench_setup() {
  if [ -n "${PROVIDER_EXPORTER_BIN:-}" ]; then
    bin=$PROVIDER_EXPORTER_BIN
  else
    swift build -c release --product provider_exporter >&2
    bin=$(swift build -c release --show-bin-path)/provider_exporter
  fi
  work=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

# Starts Tests/bench/upstream.py with the given arguments; sets $up (its port)
# and $upstream_pid.
start_upstream() {
  rm -f "$work/upstream.port"
  python3 Tests/bench/upstream.py "$@" > "$work/upstream.port" &
  upstream_pid=$!
  pids+=("$upstream_pid")
  for _ in $(seq 1 100); do [ -s "$work/upstream.port" ] && break; sleep 0.05; done
  up=$(cat "$work/upstream.port")
}

# Prints a config of $checks `models` checks, one provider each, against the
# fake on $up, every $1 (an interval).
scale_config() {   # $1: interval
  python3 - "$checks" "$up" "$1" <<'PY'
import sys
n, port, interval = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print("providers:")
for i in range(n):
    print(f"  - name: c{i}\n    preset: openai_compatible\n    base_url: http://127.0.0.1:{port}/c{i}/v1\n"
          f"    api_key_env: BENCH_API_KEY\n    checks: [{{name: models, type: models, interval: {interval}, timeout: 5s}}]")
PY
}
