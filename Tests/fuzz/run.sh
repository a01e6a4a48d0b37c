#!/usr/bin/env bash
# Fuzzes one parser with libFuzzer (loopback-free: parsers only, no network).
#
#   bash Tests/fuzz/run.sh TARGET SECONDS      # TARGET: http_request yaml_config web_config ratelimit_headers
#                                              # statuspage betterstack google_cloud datadog rss flashduty
#                                              # provider_response
#   bash Tests/fuzz/run.sh all SECONDS         # each target for SECONDS
#
# Builds the library's Swift sources with Tests/fuzz/FuzzTargets.swift into one
# binary (-sanitize=fuzzer,address; the C shims with clang's fuzzer-no-link),
# cached in .build-fuzz until a source changes. The corpus starts from
# Tests/fuzz/seeds/TARGET and the recorded fixtures, and grows in
# .build-fuzz/corpus/TARGET. A crash leaves its input in .build-fuzz/crashes
# and the script exits non-zero; add the input as a regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 2 ] || { echo "usage: $0 TARGET|all SECONDS" >&2; exit 2; }
target=$1 seconds=$2
all_targets="http_request yaml_config web_config ratelimit_headers statuspage betterstack google_cloud datadog rss flashduty provider_response"
out=.build-fuzz
mkdir -p "$out/crashes"
# FUZZ_OPT=-Onone builds in half the time (the test command's smoke run); long
# runs want the default -O, which runs several times as many inputs a second.
opt=${FUZZ_OPT:--O}
bin=$out/fuzz-parsers$opt
sources=$(find Sources/ProviderExporter -name '*.swift' | sort)
if [ ! -x "$bin" ] || [ -n "$(find Sources Tests/fuzz/FuzzTargets.swift -newer "$bin" -print -quit)" ]; then
  echo "building $bin" >&2
  clang=$(dirname "$(command -v swiftc)")/clang
  for c in CSystem CCurl CTLS; do
    printf 'module %s {\n  header "%s"\n  export *\n}\n' "$c" "$PWD/Sources/$c/include/$(echo "$c" | tr 'A-Z' 'a-z').h" > "$out/$c.modulemap"
    "$clang" -c -O1 -g -fsanitize=fuzzer-no-link,address -I "Sources/$c/include" "Sources/$c/$(echo "$c" | tr 'A-Z' 'a-z').c" -o "$out/$c.o"
  done
  # shellcheck disable=SC2086
  swiftc "$opt" -g -sanitize=fuzzer,address -parse-as-library -module-name ProviderExporter \
    -Xcc -fmodule-map-file="$out/CSystem.modulemap" -Xcc -fmodule-map-file="$out/CCurl.modulemap" \
    -Xcc -fmodule-map-file="$out/CTLS.modulemap" \
    $sources Tests/fuzz/FuzzTargets.swift "$out/CSystem.o" "$out/CCurl.o" "$out/CTLS.o" \
    -lz -Xlinker -l:libcurl.so.4 -Xlinker -l:libcrypt.so.1 -Xlinker -l:libssl.so.3 -Xlinker -l:libcrypto.so.3 \
    -o "$bin" > "$out/build.log" 2>&1 \
    || { grep -v 'Cannot export local symbol' "$out/build.log" | tail -30 >&2; exit 1; }
fi

seed() {   # $1: target; prints the seed directories
  echo "Tests/fuzz/seeds/$1"
  case $1 in
    ratelimit_headers) echo Tests/ProviderExporterTests/Fixtures/ratelimit-headers ;;
    statuspage) echo Tests/ProviderExporterTests/Fixtures/statuspage Tests/ProviderExporterTests/Fixtures/incidentio ;;
    betterstack|google_cloud) echo Tests/ProviderExporterTests/Fixtures/synthetic ;;
    datadog) echo Tests/ProviderExporterTests/Fixtures/datadog ;;
    rss) echo Tests/ProviderExporterTests/Fixtures/rss Tests/ProviderExporterTests/Fixtures/synthetic ;;
    flashduty) echo Tests/ProviderExporterTests/Fixtures/flashduty Tests/ProviderExporterTests/Fixtures/synthetic ;;
    provider_response) echo Tests/ProviderExporterTests/Fixtures/errors Tests/ProviderExporterTests/Fixtures/models ;;
  esac
}

run() {
  local t=$1 corpus=$out/corpus/$1
  mkdir -p "$corpus" "Tests/fuzz/seeds/$t"
  # SWIFT_BACKTRACE off: Swift's crash reporter can hold the pipe open after a crash.
  # shellcheck disable=SC2046
  FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" "$corpus" $(seed "$t") 2> "$out/$t.log" \
    || { tail -40 "$out/$t.log" >&2; echo "fuzz $t: FAILED (input in $out/crashes/)" >&2; return 1; }
  echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$') inputs in ${seconds}s, no crash"
}

if [ "$target" = all ]; then
  for t in $all_targets; do run "$t"; done
else
  case " $all_targets " in *" $target "*) run "$target" ;; *) echo "unknown target $target; one of: $all_targets" >&2; exit 2 ;; esac
fi
