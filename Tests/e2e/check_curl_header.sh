#!/usr/bin/env bash
# Compiles Sources/CCurl/include/ccurl.h beside the real <curl/curl.h> and
# checks every PE_ constant and every struct layout it declares, so that the
# header we build with (needing no -dev package) cannot drift from libcurl's.
# Needs libcurl4-openssl-dev (Tests/run.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
header="$here/../../Sources/CCurl/include/ccurl.h"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '#include <curl/curl.h>'
  echo '#include <stddef.h>'
  echo "#include \"$header\""
  # PE_X must equal X for every constant ccurl.h declares.
  grep -oE '^\s+PE_[A-Z0-9_]+ =' "$header" | tr -d ' =' | while read -r pe; do
    echo "_Static_assert($pe == ${pe#PE_}, \"$pe differs from curl.h\");"
  done
  cat <<'C'
_Static_assert(sizeof(struct pe_curl_slist) == sizeof(struct curl_slist), "curl_slist size");
_Static_assert(offsetof(struct pe_curl_slist, next) == offsetof(struct curl_slist, next), "curl_slist.next");
_Static_assert(sizeof(struct pe_curl_certinfo) == sizeof(struct curl_certinfo), "curl_certinfo size");
_Static_assert(offsetof(struct pe_curl_certinfo, certinfo) == offsetof(struct curl_certinfo, certinfo), "curl_certinfo.certinfo");
_Static_assert(sizeof(struct pe_curl_msg) == sizeof(CURLMsg), "CURLMsg size");
_Static_assert(offsetof(struct pe_curl_msg, easy_handle) == offsetof(CURLMsg, easy_handle), "CURLMsg.easy_handle");
_Static_assert(offsetof(struct pe_curl_msg, data) == offsetof(CURLMsg, data), "CURLMsg.data");
_Static_assert(sizeof(((struct pe_curl_msg *)0)->msg) == sizeof(CURLMSG), "CURLMSG size");
_Static_assert(sizeof(((struct pe_curl_msg *)0)->data.result) == sizeof(CURLcode), "CURLcode size");
_Static_assert(sizeof(int) == sizeof(CURLoption) && sizeof(int) == sizeof(CURLINFO), "enum sizes");
int main(void) { return 0; }
C
} > "$work/check.c"
count=$(grep -c '_Static_assert' "$work/check.c")
if cc -std=c11 -Werror -o "$work/check" "$work/check.c"; then
  echo "ok   - ccurl.h matches curl.h ($count checks)"
  echo "curl header: 1 passed, 0 failed"
else
  echo "FAIL - ccurl.h differs from curl.h"
  echo "curl header: 0 passed, 1 failed"
  exit 1
fi
