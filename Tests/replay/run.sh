#!/usr/bin/env bash
# Replays incident timelines through provider_exporter's own code and the
# shipped alerts.yml (virtual time, answers served on loopback, promtool for
# the rules) and prints, per timeline and check set, the first page against
# the status page's first post. Exits 1 unless every incident pages with the
# chat check set no later than its status page post (or names an exception:
# with why), and no timeline pages falsely.
#
#   bash Tests/replay/run.sh [TIMELINE.yml ...]     # default: Tests/replay/incidents/*.yml
#
# Needs promtool (Debian's prometheus package) and PyYAML; the test command
# installs both. REPLAY_JOBS sets how many replays run at once (default: cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
cd "$root"
if [ -z "${REPLAY_BIN:-}" ]; then
  swift build --product provider-replay >/dev/null
  REPLAY_BIN="$(swift build --show-bin-path)/provider-replay"
fi
if [ $# -eq 0 ]; then set -- "$here"/incidents/*.yml; fi
exec python3 "$here/replay.py" --bin "$REPLAY_BIN" --check --jobs "${REPLAY_JOBS:-$(nproc)}" "$@"
