#!/usr/bin/env bash
# The systemd unit in README.md ("Running as a systemd service"), extracted as
# written, through `systemd-analyze verify` (in a scratch root holding the
# system's units, the built binary and kill, so that ExecStart resolves; any
# warning fails) and `systemd-analyze security --offline=true` (exposure at
# most 3.0). Usage: systemd_unit.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: systemd_unit.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unit="$work/root/etc/systemd/system/provider_exporter.service"
mkdir -p "$(dirname "$unit")" "$work/root/usr/local/bin" "$work/root/bin" "$work/root/usr/lib/systemd"
# The ```ini block that starts with the unit's path.
awk '/^```ini$/ {inblock=1; next} inblock && /^```$/ {exit} inblock {print}' "$root/README.md" > "$unit"
check "README has the unit" grep -q '^# /etc/systemd/system/provider_exporter.service' "$unit"
cp "$BIN/provider_exporter" "$work/root/usr/local/bin/"
cp "$(type -P kill || echo /bin/kill)" "$work/root/bin/kill"
cp -r /usr/lib/systemd/system "$work/root/usr/lib/systemd/" 2>/dev/null || cp -r /lib/systemd/system "$work/root/usr/lib/systemd/"

verify_clean() {
  local out
  out=$(systemd-analyze verify --root="$work/root" /etc/systemd/system/provider_exporter.service 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify: no error, no warning" verify_clean

exposure_ok() {
  local out level
  out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
  level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n1)
  echo "exposure level: ${level:-unknown}"
  [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }'
}
check "systemd-analyze security --offline=true: exposure at most 3.0" exposure_ok

check "DynamicUser=, LoadCredential= and ExecReload= with SIGHUP" \
  bash -c "grep -q '^DynamicUser=yes' '$unit' && grep -q '^LoadCredential=' '$unit' && grep -q '^ExecReload=.*-HUP' '$unit'"
check "the sockets the exporter opens are allowed" grep -q '^RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX$' "$unit"
check "setrlimit (@resources) is not denied" bash -c "! grep -E '^SystemCallFilter=~.*@resources' '$unit'"
summary
