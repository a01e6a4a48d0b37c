#!/usr/bin/env bash
# Scrape benchmark (not part of the test command). Serves about 10,000 series
# from the exporter's own server (release build) and, in the same run, the
# identical bytes from nginx (static file: the practical limit) and the same
# series from prometheus-node-exporter's textfile collector. Each is loaded with
# `wrk -t2 -c50 -d10s --timeout 30s --latency`, plain and with Accept-Encoding: gzip (as
# Prometheus asks), and the ratios are printed. With --tls, the same over TLS
# (tls_server_config beside nginx's ssl, one P-256 certificate for both):
# kept-alive connections plain and gzip, and a new connection (so a full
# handshake) per request, which is the handshake's cost. Loopback only.
#
#   bash Tests/bench/scrape.sh [--series N] [--duration 10s] [--tls]
set -euo pipefail
cd "$(dirname "$0")/../.."
series=10000
duration=10s
tls=""
while [ $# -gt 0 ]; do
  case $1 in
    --series) series=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --tls) tls=yes; shift ;;
    *) echo "usage: $0 [--series N] [--duration 10s] [--tls]" >&2; exit 2 ;;
  esac
done

for tool in wrk nginx prometheus-node-exporter curl python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "installing benchmark tools"; apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light prometheus-node-exporter curl >/dev/null
    break
  }
done

swift build -c release >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as another user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

. Tests/e2e/lib.sh   # free_port (the script is at the repo root by now)
wait_http() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# 1. The exporter's server with synthetic series.
ours=$(free_port)
"$bin/bench-scrape-server" --series "$series" --web.listen-address="127.0.0.1:$ours" --log.level=warn &
pids+=($!); ours_pid=$!
wait_http "http://127.0.0.1:$ours/metrics"
curl -sf "http://127.0.0.1:$ours/metrics" -o "$work/metrics.txt"
lines=$(grep -vc '^#' "$work/metrics.txt")
bytes=$(wc -c < "$work/metrics.txt")
gzip -6 -k "$work/metrics.txt"

# 2. nginx serving the identical bytes (gzip_static for the gzip run).
ngx=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$ngx;
    location = /metrics { default_type text/plain; alias $work/metrics.txt; gzip_static on; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" &
pids+=($!)
wait_http "http://127.0.0.1:$ngx/metrics"

# 3. node_exporter with only its textfile collector, serving the same series.
node=$(free_port)
mkdir -p "$work/textfile"
awk '/^# (HELP|TYPE) (process_|provider_exporter_)/ {next} /^(process_|provider_exporter_)/ {next} {print}' \
  "$work/metrics.txt" > "$work/textfile/bench.prom"
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory="$work/textfile" --web.max-requests=0 --web.listen-address="127.0.0.1:$node" --log.level=error 2>/dev/null &
pids+=($!)
wait_http "http://127.0.0.1:$node/metrics"

# wrk's latency lines are in us, ms or s: print req/s, p50 ms, p99 ms.
run_wrk() {
  local url=$1; shift
  # A long timeout so that slow servers are measured, not dropped as errors.
  wrk -t2 -c50 -d"$duration" --timeout 30s --latency "$@" "$url" > "$work/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }' "$work/wrk.out"
}

echo "series (sample lines): $lines, body: $bytes bytes, gzip: $(wc -c < "$work/metrics.txt.gz") bytes; wrk -t2 -c50 -d$duration on $(nproc) cores"
printf '%-8s %-28s %10s %9s %9s %8s\n' mode server "req/s" "p50 ms" "p99 ms" "non-2xx"
declare -A rps
for mode in plain gzip; do
  hdr=(); [ "$mode" = gzip ] && hdr=(-H "Accept-Encoding: gzip")
  for target in ours nginx node_exporter; do
    case $target in
      ours) url="http://127.0.0.1:$ours/metrics"; name="provider_exporter" ;;
      nginx) url="http://127.0.0.1:$ngx/metrics"; name="nginx (static file)" ;;
      node_exporter) url="http://127.0.0.1:$node/metrics"; name="node_exporter (textfile)" ;;
    esac
    read -r r p50 p99 bad < <(run_wrk "$url" "${hdr[@]}")
    rps[$mode.$target]=$r
    printf '%-8s %-28s %10s %9s %9s %8s\n' "$mode" "$name" "$r" "$p50" "$p99" "$bad"
  done
done
for mode in plain gzip; do
  awk -v m="$mode" -v o="${rps[$mode.ours]}" -v n="${rps[$mode.nginx]}" -v x="${rps[$mode.node_exporter]}" \
    'BEGIN { printf "ratio %-5s provider_exporter/node_exporter = %.2fx (goal >= 2), provider_exporter/nginx = %.2fx (goal >= 0.8)\n", m, o/x, o/n }'
done
echo "bench server RSS after load: $(( $(rss_kb "$ours_pid") / 1024 )) MB"

if [ -n "$tls" ]; then
  # One test CA and server certificate (P-256, made here, never kept).
  (cd "$work" && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null \
    && openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=bench-ca 2>/dev/null \
    && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key 2>/dev/null \
    && openssl req -new -key server.key -out server.csr -subj /CN=localhost 2>/dev/null \
    && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext \
    && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null)
  chmod 644 "$work/server.key"  # nginx workers read it as another user
  printf 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n' > "$work/web.yml"
  ours_tls=$(free_port)
  "$bin/bench-scrape-server" --series "$series" --web.listen-address="127.0.0.1:$ours_tls" --web.config.file="$work/web.yml" --log.level=warn &
  pids+=($!)
  ngx_tls=$(free_port)
  mkdir -p "$work/nginx-tls"
  sed -e "s|listen 127.0.0.1:$ngx;|listen 127.0.0.1:$ngx_tls ssl; ssl_certificate $work/server.pem; ssl_certificate_key $work/server.key; ssl_protocols TLSv1.2 TLSv1.3;|" \
      -e "s|pid $work/nginx/nginx.pid;|pid $work/nginx-tls/nginx.pid;|" -e "s|error_log $work/nginx/error.log;|error_log $work/nginx-tls/error.log;|" \
      "$work/nginx/nginx.conf" > "$work/nginx-tls/nginx.conf"
  nginx -c "$work/nginx-tls/nginx.conf" &
  pids+=($!)
  for u in "https://localhost:$ours_tls/metrics" "https://localhost:$ngx_tls/metrics"; do
    for _ in $(seq 1 100); do curl -sf --cacert "$work/ca.pem" -o /dev/null "$u" && break; sleep 0.05; done
  done
  cmp <(curl -sf --cacert "$work/ca.pem" "https://localhost:$ours_tls/metrics" | grep -v '^process_\|^provider_exporter_\|^# ' | wc -l) \
      <(grep -v '^process_\|^provider_exporter_\|^# ' "$work/metrics.txt" | wc -l) >/dev/null \
    || echo "warning: the TLS bench server's series differ in count from the plain one's"
  echo "TLS (TLS 1.3, P-256 certificate; both read the same certificate and key):"
  printf '%-10s %-28s %10s %9s %9s %8s\n' mode server "req/s" "p50 ms" "p99 ms" "non-2xx"
  declare -A trps
  for mode in plain gzip handshake; do
    hdr=()
    [ "$mode" = gzip ] && hdr=(-H "Accept-Encoding: gzip")
    # A new connection, and so a full handshake, for every request; a small route, so the handshake dominates.
    path=/metrics
    [ "$mode" = handshake ] && { hdr=(-H "Connection: close"); path=/-/healthy; }
    for target in ours nginx; do
      case $target in
        ours) url="https://localhost:$ours_tls$path"; name="provider_exporter (TLS)" ;;
        nginx) url="https://localhost:$ngx_tls$path"; name="nginx (ssl, static file)" ;;
      esac
      # nginx has no /-/healthy: its 404 page is as small and as cheap.
      read -r r p50 p99 bad < <(run_wrk "$url" "${hdr[@]}")
      trps[$mode.$target]=$r
      printf '%-10s %-28s %10s %9s %9s %8s\n' "$mode" "$name" "$r" "$p50" "$p99" "$bad"
    done
  done
  for mode in plain gzip handshake; do
    awk -v m="$mode" -v o="${trps[$mode.ours]}" -v n="${trps[$mode.nginx]}" \
      'BEGIN { printf "ratio tls %-9s provider_exporter/nginx = %.2fx\n", m, o/n }'
  done
  awk -v p="${rps[plain.ours]}" -v t="${trps[plain.ours]}" -v h="${trps[handshake.ours]}" \
    'BEGIN { printf "provider_exporter: TLS keeps %.0f%% of plain /metrics throughput; a handshake and its request take %.2f ms of the two cores, the client'"'"'s side (wrk) included\n", 100*t/p, 2000/h }'
fi

# Idle RSS of the real binary on its built-in default config. That config
# fetches public status pages, so it runs in a network namespace with only
# loopback (as root), where their names do not resolve; with a clean
# environment, so that no key variable adds API checks.
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  idle=$(free_port)
  unshare -n sh -c "ip link set lo up; exec env -i PATH=\"$PATH\" \"$bin/provider_exporter\" --web.listen-address=127.0.0.1:$idle --log.level=error" &
  pids+=($!)
  sleep 2
  idle_pid=$(pgrep -n -f "provider_exporter --web.listen-address=127.0.0.1:$idle")
  awk -v kb="$(rss_kb "$idle_pid")" 'BEGIN { printf "provider_exporter idle RSS (built-in default, loopback-only namespace): %.1f MB (goal < 15)\n", kb/1024 }'
else
  echo "provider_exporter idle RSS: not measured (needs root for a loopback-only network namespace)"
fi
