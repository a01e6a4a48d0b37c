#!/usr/bin/env bash
# The release binary README's build command makes runs without the Swift
# toolchain: it links the Swift runtime statically and needs only the system
# libraries README names. Copied to a scratch folder, it starts in a private
# mount namespace where the toolchain's folder is hidden (an empty tmpfs over
# it), serves /metrics and exits cleanly. Needs root (unshare -m).
# Usage: portable_binary.sh RELEASE_BIN_DIR
set -euo pipefail
BIN=${1:?usage: portable_binary.sh RELEASE_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The toolchain's root: /opt/swift for /opt/swift/usr/bin/swift.
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
cp "$BIN/provider_exporter" "$work/provider_exporter"

# What README's "Install" section says the binary needs, by soname.
allowed='^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1|libcrypt\.so\.1|libcurl\.so\.4|libssl\.so\.3|libcrypto\.so\.3)$'
needed_only_system() {
  local libs bad
  libs=$(readelf -d "$work/provider_exporter" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  echo "needs: $(echo $libs)"
  bad=$(printf '%s\n' $libs | grep -Ev "$allowed" || true)
  [ -z "$bad" ] || { echo "unexpected libraries: $bad"; return 1; }
}
check "the binary needs only libc, libstdc++, libgcc_s, zlib, libcrypt, libcurl and libssl (which libcurl loads too)" needed_only_system
no_toolchain_runpath() {
  ! readelf -d "$work/provider_exporter" | grep -E 'R(UN)?PATH' | grep -q "$toolchain"
}
check "no runpath into the toolchain ($toolchain)" no_toolchain_runpath

# In a private mount namespace with the toolchain hidden: --version, then a
# start on the built-in default config (keys unset; its status pages are
# unreachable here), /metrics, and a clean exit on SIGTERM.
cat > "$work/hidden.sh" <<'SH'
set -eu
toolchain=$1 work=$2
mount -t tmpfs none "$toolchain"
[ -z "$(ls -A "$toolchain")" ] || { echo "toolchain still visible"; exit 1; }
if ldd "$work/provider_exporter" | grep -q 'not found'; then ldd "$work/provider_exporter"; exit 1; fi
"$work/provider_exporter" --version
env -i "$work/provider_exporter" --web.listen-address=127.0.0.1:0 2> "$work/log" &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*msg=listening .*port=\([0-9]*\).*/\1/p' "$work/log" | head -n1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/log"; kill "$pid"; exit 1; }
curl -fsS -o "$work/metrics" "http://127.0.0.1:$port/metrics" || { kill "$pid"; exit 1; }
grep -q "^provider_exporter_build_info{" "$work/metrics" || { kill "$pid"; exit 1; }
kill -TERM "$pid"
wait "$pid"
SH
check "starts and serves /metrics with the toolchain's folder hidden" \
  unshare -m --propagation private bash "$work/hidden.sh" "$toolchain" "$work"
summary
