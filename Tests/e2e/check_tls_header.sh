#!/usr/bin/env bash
# Compiles Sources/CTLS/include/ctls.h beside the real OpenSSL headers and
# checks every PE_ constant and the one layout it declares, so that the header
# we build with (needing no -dev package) cannot drift from libssl's.
# Needs libssl-dev (Tests/run.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
header="$here/../../Sources/CTLS/include/ctls.h"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '#include <openssl/ssl.h>'
  echo '#include <openssl/x509v3.h>'
  echo '#include <openssl/obj_mac.h>'
  echo '#include <stddef.h>'
  echo "#include \"$header\""
  # PE_X must equal X for every constant ctls.h declares.
  grep -oE '^\s+PE_[A-Za-z0-9_]+ =' "$header" | tr -d ' =' | while read -r pe; do
    echo "_Static_assert($pe == ${pe#PE_}, \"$pe differs from OpenSSL's headers\");"
  done
  cat <<'C'
_Static_assert(sizeof(struct pe_general_name) == sizeof(GENERAL_NAME), "GENERAL_NAME size");
_Static_assert(offsetof(struct pe_general_name, d) == offsetof(GENERAL_NAME, d), "GENERAL_NAME.d");
_Static_assert(SSL_OP_CIPHER_SERVER_PREFERENCE == ((uint64_t)1 << 22), "SSL_OP_CIPHER_SERVER_PREFERENCE (ctls.c)");
_Static_assert(SSL_OP_NO_RENEGOTIATION == ((uint64_t)1 << 30), "SSL_OP_NO_RENEGOTIATION (ctls.c)");
int main(void) { return 0; }
C
} > "$work/check.c"
count=$(grep -c '_Static_assert' "$work/check.c")
if cc -std=c11 -Werror -o "$work/check" "$work/check.c"; then
  echo "ok   - ctls.h matches OpenSSL's headers ($count checks)"
  echo "tls header: 1 passed, 0 failed"
else
  echo "FAIL - ctls.h differs from OpenSSL's headers"
  echo "tls header: 0 passed, 1 failed"
  exit 1
fi
