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
