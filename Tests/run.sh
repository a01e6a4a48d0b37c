#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Swift toolchain:
# installs what the checks need (Prometheus, promtool and Alertmanager from Debian, curl's
# headers to check our own against, systemd-analyze for the README's unit, Chromium for the
# landing page, Python's
# prometheus_client and PyYAML), builds, runs the Swift tests and the
# end-to-end scripts. As root, the tests run in a network namespace that has
# only loopback, so nothing can reach a real provider.
#
#   bash Tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_needed=()
command -v promtool >/dev/null 2>&1 || apt_needed+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || apt_needed+=(prometheus-alertmanager)
command -v curl >/dev/null 2>&1 || apt_needed+=(curl)
command -v gzip >/dev/null 2>&1 || apt_needed+=(gzip)
command -v wrk >/dev/null 2>&1 || apt_needed+=(wrk)
command -v systemd-analyze >/dev/null 2>&1 || apt_needed+=(systemd)
command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium)
command -v cc >/dev/null 2>&1 || apt_needed+=(gcc)
# Only to check Sources/CCurl's own header against the real one; the build needs no curl headers.
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || apt_needed+=(libcurl4-openssl-dev)
if [ ${#apt_needed[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${apt_needed[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null
fi
if ! python3 -c 'import prometheus_client, yaml' 2>/dev/null; then
  echo "== installing Python packages: prometheus_client PyYAML"
  python3 -m pip install -q --disable-pip-version-check prometheus_client pyyaml
fi

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
  echo "== swift test"
  # Serially: latency, TTFT, CPU-cost and flood tests make timing claims
  # that only hold when other suites are not saturating the same cores.
  swift test --no-parallel
  echo "== fuzz smoke: every parser under libFuzzer + AddressSanitizer, 3 s each (unoptimized build, under a minute)"
  FUZZ_OPT=-Onone bash Tests/fuzz/run.sh all 3
  echo "== Sources/CCurl/include/ccurl.h against the real curl.h"
  bash Tests/e2e/check_curl_header.sh
  echo "== alerts.yml: promtool check and rule unit tests"
  bash Tests/e2e/check_rules.sh
  echo "== grafana/ dashboard: structure, PromQL, metric names"
  python3 Tests/e2e/check_dashboard.py
  echo "== a real Prometheus: alerts.yml's rules and every dashboard query return data"
  bash Tests/e2e/prometheus_queries.sh "$bin"
  echo "== alerts.yml end to end: Prometheus, Alertmanager, a webhook (about 6 minutes)"
  bash Tests/e2e/alert_scenarios.sh "$bin"
  echo "== several exporters, one truth: three exporters, Prometheus, Alertmanager (about 3 minutes)"
  bash Tests/e2e/multi_exporter.sh "$bin"
  echo "== the README's systemd unit: systemd-analyze verify and security"
  bash Tests/e2e/systemd_unit.sh "$bin"
  echo "== the landing page in headless Chromium: providers, recent probes, report links"
  bash Tests/e2e/landing_page.sh "$bin"
  echo "== README config examples through --config.check"
  bash Tests/e2e/readme_examples.sh "$bin"
  echo "== end-to-end: live /metrics against promtool and prometheus_client"
  bash Tests/e2e/validate_metrics.sh "$bin"
  echo "== the server under abuse: slowloris, huge heads, random bytes, 10,000 requests/s (release build)"
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
