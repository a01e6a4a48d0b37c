#!/usr/bin/env bash
# README's "Running as a systemd service", followed as a user would: the unit
# and the config saved from README's blocks, then README's install block run
# word for word in a scratch root (`sudo ` dropped, /etc and /usr/local under
# the scratch folder, systemctl recorded instead of run). Then: every
# LoadCredential= source the unit names was created by those steps (mode 0600,
# not empty); ExecStart's binary and config are installed; the installed config
# passes --config.check with the keys where systemd puts them; the installed
# unit passes `systemd-analyze verify` (no error, no warning) and
# `systemd-analyze security --offline=true` (exposure at most 3.0).
# Usage: systemd_unit.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: systemd_unit.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scratch="$work/root"
src="$work/src"
mkdir -p "$scratch/usr/lib/systemd" "$scratch/bin" "$src/.build/release"

# The blocks, as a user copies them: the unit, the config, the install steps.
python3 - "$root/README.md" "$src" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("## Running as a systemd service"):]
section = section[:section.index("\n## ", 1)]
blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
unit = [b for k, b in blocks if k == "ini" and b.startswith("# /etc/systemd/system/provider_exporter.service\n")]
config = [b for k, b in blocks if k == "yaml" and b.startswith("# /etc/provider_exporter/providers.yml")]
steps = [b for k, b in blocks if k == "sh" and b.startswith("# Install")]
if len(unit) != 1 or len(config) != 1 or len(steps) != 1:
    sys.exit(f"README's service section needs one unit, one config and one install block: {len(unit)}, {len(config)}, {len(steps)}")
open(f"{sys.argv[2]}/provider_exporter.service", "w").write(unit[0])
open(f"{sys.argv[2]}/providers.yml", "w").write(config[0])
open(f"{sys.argv[2]}/install.sh", "w").write(steps[0])
PY
cp "$BIN/provider_exporter" "$src/.build/release/"

# The install block, in the scratch root. Paths are rewritten where they start
# a word (after a space or '='), so the block's own text is otherwise unchanged.
{
  echo 'set -euo pipefail'
  echo "systemctl() { echo \"systemctl \$*\" >> '$work/systemctl.log'; }"
  sed -e 's/^sudo //; s/| sudo /| /' \
      -e "s#\\([ =]\\)/etc/#\\1$scratch/etc/#g; s#\\([ =]\\)/usr/local/#\\1$scratch/usr/local/#g" "$src/install.sh"
} > "$work/install-scratch.sh"
mkdir -p "$scratch/usr/local/bin"
run_steps() {
  (cd "$src" && OPENAI_API_KEY=test-fake-openai-key ANTHROPIC_API_KEY=test-fake-anthropic-key bash "$work/install-scratch.sh")
}
check "README's install steps run (in a scratch root)" run_steps
check "the steps enable and start the unit" grep -q '^systemctl enable --now provider_exporter' "$work/systemctl.log"

unit="$scratch/etc/systemd/system/provider_exporter.service"
check "the unit is installed as README shows it" cmp -s "$unit" "$src/provider_exporter.service"

credentials_created() {
  local ok=0 name path mode
  while IFS=: read -r name path; do
    [ -n "$name" ] || continue
    mode=$(stat -c %a "$scratch$path" 2>/dev/null || echo missing)
    if [ ! -s "$scratch$path" ] || [ "$mode" != 600 ]; then
      echo "LoadCredential=$name:$path: not created by the steps (mode $mode)"; ok=1
    fi
  done < <(sed -n 's/^LoadCredential=//p' "$unit")
  [ -n "$(sed -n 's/^LoadCredential=//p' "$unit")" ] || { echo "no LoadCredential= in the unit"; ok=1; }
  return $ok
}
check "every LoadCredential= source is created by the steps, mode 0600" credentials_created

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
exec_bin=${exec_start%% *}
exec_config=$(printf '%s\n' "$exec_start" | sed -n 's/.*--config.file=\([^ ]*\).*/\1/p')
check "ExecStart's binary is installed ($exec_bin)" test -x "$scratch$exec_bin"
check "ExecStart's config is installed ($exec_config)" test -s "$scratch$exec_config"

# The keys where systemd puts them: /run/credentials/UNIT/NAME.
config_with_credentials() {
  local creds="$work/run-credentials"
  mkdir -p "$creds"
  while IFS=: read -r name path; do cp "$scratch$path" "$creds/$name"; done < <(sed -n 's/^LoadCredential=//p' "$unit")
  sed "s#/run/credentials/provider_exporter.service/#$creds/#g" "$scratch$exec_config" > "$work/check.yml"
  env -i "$scratch$exec_bin" --config.file="$work/check.yml" --config.check
}
check "the installed config passes --config.check with the installed keys" config_with_credentials

cp "$(type -P kill || echo /bin/kill)" "$scratch/bin/kill"
cp -r /usr/lib/systemd/system "$scratch/usr/lib/systemd/" 2>/dev/null || cp -r /lib/systemd/system "$scratch/usr/lib/systemd/"
verify_clean() {
  local out
  out=$(systemd-analyze verify --root="$scratch" /etc/systemd/system/provider_exporter.service 2>&1) || { echo "$out"; return 1; }
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
