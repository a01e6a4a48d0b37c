#!/usr/bin/env bash
# Runs `provider_exporter --config.check` on every YAML example in README.md
# that has a providers: list, with obvious fake keys (key files the examples
# name, such as systemd credentials, are replaced by one fake key file).
# Usage: readme_examples.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: readme_examples.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$here/../../README.md" "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# Exporter configs; Grafana's provisioning file has a providers: key too.
blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "providers:" in b and "apiVersion:" not in b]
open(f"{sys.argv[2]}/fake-key", "w").write("test-fake-key\n")
for i, b in enumerate(blocks):
    b = re.sub(r"api_key_file: \S+", f"api_key_file: {sys.argv[2]}/fake-key", b)
    open(f"{sys.argv[2]}/example-{i}.yml", "w").write(b)
if not blocks: sys.exit("README has no config examples")
PY
# An obvious fake for every variable an example may name.
fakes=()
for v in OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY GROQ_API_KEY OPENROUTER_API_KEY TOGETHER_API_KEY \
         MISTRAL_API_KEY DEEPSEEK_API_KEY XAI_API_KEY COHERE_API_KEY CO_API_KEY NVIDIA_API_KEY HF_TOKEN ORG_KEY; do
  fakes+=("$v=test-fake-key")
done
for f in "$work"/example-*.yml; do
  check "--config.check on README example $(basename "$f")" \
    env "${fakes[@]}" "$BIN/provider_exporter" --config.file="$f" --config.check
done
contents_complete() {
  python3 - "$here/../../README.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
toc = text[text.index("## Contents"):]
toc = toc[:toc.index("\n## ", 1)]
listed = re.findall(r"^- \[(.+?)\]\(#", toc, re.M)
sections = [h for h in re.findall(r"^## (.+)$", text, re.M) if h != "Contents"]
missing = [h for h in sections if h not in listed]
stale = [h for h in listed if h not in sections]
if missing or stale or listed != sections:
    sys.exit(f"README's Contents is out of date: missing {missing}, stale {stale}")
if sections[0] != "Five minutes: from download to a test alert":
    sys.exit(f"README's first section is {sections[0]!r}, not the five-minute path")
PY
}
check "README's Contents lists every section, in order, the five-minute path first" contents_complete
summary
