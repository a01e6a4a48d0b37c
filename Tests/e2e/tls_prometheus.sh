#!/usr/bin/env bash
# A real Prometheus scrapes the exporter over TLS with basic auth (README's
# "Serving TLS"): scheme https, tls_config with the test CA, a client
# certificate the exporter requires, basic_auth. Then: a job with the wrong
# password is up 0 (401), a job without the client certificate is up 0 (the
# handshake fails), plain http to the TLS port is up 0, and the exporter
# picks up a replaced certificate without a restart. Test certificates are
# made here by openssl; nothing is committed. Loopback only.
# Usage: tls_prometheus.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: tls_prometheus.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
prom_pid=""
trap 'stop_exporter; [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$work"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
leaf() { # name days san usage
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days "$2" -extfile "$1.ext" 2>/dev/null
}
key ca
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj /CN=e2e-test-ca 2>/dev/null
leaf server 30 'DNS:localhost,IP:127.0.0.1' serverAuth
leaf server-next 20 'DNS:localhost,IP:127.0.0.1' serverAuth
leaf prometheus 30 'DNS:prometheus.example' clientAuth
cp server.pem live.pem; cp server.key live.key

# "test-password", bcrypt cost 10 (a test value, not a secret).
hash='$2b$10$jH..yVpVH1o6dJ7OKpjbQ.Ou9.6.NsjZqL0Ud5tfgZwiasiZaT87W'
cat > web.yml <<YAML
tls_server_config:
  cert_file: live.pem
  key_file: live.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  client_allowed_sans: [prometheus.example]
  min_version: TLS12
basic_auth_users:
  prometheus: '$hash'
YAML
printf 'test-password\n' > password
printf 'wrong-password\n' > wrong
cat > config.yml <<'YAML'
providers:
  - {name: local, status_page: {url: "http://127.0.0.1:9", format: statuspage}}
YAML
start_exporter "$work/exporter.log" --config.file=config.yml --web.config.file=web.yml
check "the exporter logs that it serves TLS" grep -q 'msg=listening .*tls=true' "$work/exporter.log"

prom=$(free_port)
mkdir -p prometheus
tls="tls_config: {ca_file: $work/ca.pem, cert_file: $work/prometheus.pem, key_file: $work/prometheus.key, server_name: localhost}"
cat > prometheus.yml <<YAML
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: tls
    scheme: https
    $tls
    basic_auth: {username: prometheus, password_file: $work/password}
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
  - job_name: wrong_password
    scheme: https
    $tls
    basic_auth: {username: prometheus, password_file: $work/wrong}
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
  - job_name: no_client_cert
    scheme: https
    tls_config: {ca_file: $work/ca.pem, server_name: localhost}
    basic_auth: {username: prometheus, password_file: $work/password}
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
  - job_name: plain_http
    basic_auth: {username: prometheus, password_file: $work/password}
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
YAML
prometheus --config.file=prometheus.yml --storage.tsdb.path=prometheus \
  --web.listen-address="127.0.0.1:$prom" --log.level=warn > prometheus.log 2>&1 &
prom_pid=$!

query() { curl -sf "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1"; }
value_of() { # value_of EXPR: the first sample's value, empty when none
  query "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
wait_for() { # wait_for EXPR VALUE: bounded, 60 s
  for _ in $(seq 1 120); do [ "$(value_of "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.5; done
  echo "  $1 is '$(value_of "$1" 2>/dev/null)', not $2"; return 1
}
check "Prometheus scrapes over TLS with a client certificate and basic auth (up 1)" wait_for 'up{job="tls"}' 1
check "the scraped series are the exporter's (provider_info over TLS)" wait_for 'count(provider_info{job="tls"})' 1
check "a wrong password is up 0" wait_for 'up{job="wrong_password"}' 0
check "no client certificate is up 0" wait_for 'up{job="no_client_cert"}' 0
check "plain http to the TLS port is up 0" wait_for 'up{job="plain_http"}' 0
has_error() { # has_error JOB TEXT: the job's last scrape error mentions TEXT
  curl -sf "http://127.0.0.1:$prom/api/v1/targets" | python3 -c '
import json, sys
errors = [t["lastError"] for t in json.load(sys.stdin)["data"]["activeTargets"] if t["labels"]["job"] == sys.argv[1]]
print(errors)
sys.exit(0 if errors and sys.argv[2] in errors[0] else 1)' "$1" "$2" > /dev/null
}
check "the wrong password's error is a 401" has_error wrong_password 401
check "plain http's error is the exporter's 400" has_error plain_http 400

# Rotation: new files in place; Prometheus keeps scraping, and a new
# connection gets the new certificate (it expires 10 days earlier).
expiry() { echo | openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile ca.pem \
  -cert prometheus.pem -key prometheus.key 2>/dev/null | openssl x509 -noout -enddate; }
before=$(expiry)
cp server-next.pem live.pem; cp server-next.key live.key
rotated() { for _ in $(seq 1 40); do [ "$(expiry)" != "$before" ] && return 0; sleep 0.25; done; return 1; }
check "a replaced certificate is served without a restart" rotated
check "the exporter logs the reload" grep -q 'msg="TLS certificate reloaded"' "$work/exporter.log"
sleep 3
check "Prometheus still scrapes after the rotation" wait_for 'up{job="tls"}' 1
summary
