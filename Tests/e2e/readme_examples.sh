#!/usr/bin/env bash
# Runs `provider_exporter --config.check` on every YAML example in README.md
# that has a providers: list, with obvious fake keys. Usage: readme_examples.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: readme_examples.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$here/../../README.md" "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "providers:" in b]
for i, b in enumerate(blocks):
    open(f"{sys.argv[2]}/example-{i}.yml", "w").write(b)
print(len(blocks))
PY
for f in "$work"/example-*.yml; do
  check "--config.check on README example $(basename "$f")" \
    env OPENAI_API_KEY=test-fake-key ORG_KEY=test-fake-org "$BIN/provider_exporter" --config.file="$f" --config.check
done
summary
