#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Swift toolchain.
#
#   bash Tests/run.sh
#
# What it installs, said before it does (nothing when all is there):
# - Debian packages, only those missing: prometheus (server and promtool),
#   prometheus-alertmanager, curl, gzip, wrk (the abuse suite's load),
#   systemd (systemd-analyze for README's unit), chromium (the landing page),
#   gcc, python3 and python3-venv, openssl (test certificates), and
#   libcurl4-openssl-dev and libssl-dev
#   (only to check our own curl and OpenSSL headers against the real ones; apt
#   may upgrade libcurl4, curl and libssl3 to their version, and the list
#   printed first says so).
# - Python packages (prometheus_client, PyYAML) into a virtual environment of
#   its own, .build/test-venv, from PyPI: never into the system Python (Debian's
#   refuses, PEP 668, and its packages are left as they were).
# Then it builds, runs the Swift tests and the end-to-end scripts. As root, the
# tests run in a network namespace that has only loopback, so nothing can reach
# a real provider.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_needed=()
need() { command -v "$1" >/dev/null 2>&1 || apt_needed+=("$2"); }
need promtool prometheus
need prometheus-alertmanager prometheus-alertmanager
need curl curl
need gzip gzip
need wrk wrk
need systemd-analyze systemd
need chromium chromium
need cc gcc
need python3 python3
need openssl openssl
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_needed+=(python3-venv)
# Only to check Sources/CCurl's own header against the real one; the build needs no curl headers.
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/aarch64-linux-gnu/curl/curl.h ] \
  || [ -f /usr/include/curl/curl.h ] || apt_needed+=(libcurl4-openssl-dev)
# Only to check Sources/CTLS's own header against OpenSSL's; the build needs no OpenSSL headers.
[ -f /usr/include/openssl/ssl.h ] || apt_needed+=(libssl-dev)
if [ ${#apt_needed[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${apt_needed[*]}"
  as_root apt-get update -qq
  echo "   apt will install (new) or upgrade ([installed version]):"
  as_root apt-get install -s --no-install-recommends "${apt_needed[@]}" | sed -n 's/^Inst /     /p'
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_needed[@]}"
fi

venv=.build/test-venv
if ! "$venv/bin/python3" -c 'import prometheus_client, yaml' 2>/dev/null; then
  echo "== Python packages prometheus_client and PyYAML into $venv (not the system Python)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check prometheus_client pyyaml
fi
# Every `python3` below, in this script and in the scripts it runs, is the venv's.
PATH="$PWD/$venv/bin:$PATH"
export PATH

echo "== swift build"
swift build
bin=$(swift build --show-bin-path)
echo "== swift build -c release --product provider_exporter (the abuse suite measures what users run)"
swift build -c release --product provider_exporter
release_bin=$(swift build -c release --show-bin-path)

suite() {
  # Also inside `unshare ... bash -c`, where the caller's `set -e` does not reach.
  set -euo pipefail
  echo "== layers: every reference points down (and a planted upward one is caught)"
  python3 Tests/e2e/check_layers.py
  python3 Tests/e2e/check_layers.py --self-test
  echo "== swift test (in parallel: timing tests read an injected clock or count events)"
  swift test --parallel
  echo "== fuzz smoke: every parser under libFuzzer + AddressSanitizer, 3 s each (unoptimized build, under a minute)"
  FUZZ_OPT=-Onone bash Tests/fuzz/run.sh all 3
  echo "== Sources/CCurl/include/ccurl.h against the real curl.h"
  bash Tests/e2e/check_curl_header.sh
  echo "== Sources/CTLS/include/ctls.h against the real OpenSSL headers"
  bash Tests/e2e/check_tls_header.sh
  echo "== alerts.yml: promtool check and rule unit tests"
  bash Tests/e2e/check_rules.sh
  echo "== grafana/ dashboard: structure, PromQL, metric names"
  python3 Tests/e2e/check_dashboard.py
  echo "== a real Prometheus: alerts.yml's rules and every dashboard query return data"
  bash Tests/e2e/prometheus_queries.sh "$bin"
  # Two promtool-bound runs; the two live runs below mostly wait on their
  # rules' for: windows, so these run beside them, one core each.
  echo "== partial outages, caller-side causes, scattered failures: seeded exporter histories through alerts.yml with promtool (in the background)"
  local partial_log replay_log
  partial_log=$(mktemp)
  python3 Tests/rules/partial_outages.py > "$partial_log" 2>&1 &
  local partial_pid=$!
  echo "== incident replay: real incident timelines through the exporter and alerts.yml, lead over the status page (in the background)"
  replay_log=$(mktemp)
  REPLAY_BIN="$bin/provider-replay" REPLAY_JOBS=1 bash Tests/replay/run.sh > "$replay_log" 2>&1 &
  local replay_pid=$!
  echo "== alerts.yml end to end: Prometheus, Alertmanager, a webhook (about 6 minutes)"
  bash Tests/e2e/alert_scenarios.sh "$bin"
  echo "== several exporters, one truth: three exporters, Prometheus, Alertmanager (about 3 minutes)"
  bash Tests/e2e/multi_exporter.sh "$bin"
  echo "== partial outages (results of the background run)"
  if wait "$partial_pid"; then cat "$partial_log"; else cat "$partial_log"; echo "partial outages: FAILED"; return 1; fi
  echo "== incident replay (results of the background run)"
  if wait "$replay_pid"; then cat "$replay_log"; else cat "$replay_log"; echo "incident replay: FAILED"; return 1; fi
  echo "== the release binary without the toolchain: static Swift runtime, system libraries only"
  bash Tests/e2e/portable_binary.sh "$release_bin"
  echo "== the README's systemd service: its install steps in a scratch root, the unit verified"
  bash Tests/e2e/systemd_unit.sh "$bin"
  echo "== the landing page in headless Chromium: providers, recent probes, report links"
  bash Tests/e2e/landing_page.sh "$bin"
  echo "== README config examples through --config.check"
  bash Tests/e2e/readme_examples.sh "$bin"
  echo "== TLS: a real Prometheus scrapes over https with a client certificate and basic auth; rotation without a restart"
  bash Tests/e2e/tls_prometheus.sh "$bin"
  echo "== end-to-end: live /metrics against promtool and prometheus_client"
  bash Tests/e2e/validate_metrics.sh "$bin"
  echo "== the server under abuse: slowloris, huge heads, random bytes, 10,000 requests/s; over TLS: stalled handshakes, handshake floods, garbage hellos, no client certificate (release build)"
  python3 Tests/e2e/abuse.py "$release_bin"
}

if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  echo "== running the suites with loopback as the only network"
  export -f suite
  export bin release_bin
  unshare -n bash -euo pipefail -c 'ip link set lo up && suite'
else
  echo "== not root: running the suites on the host network (they use loopback only)"
  suite
fi
