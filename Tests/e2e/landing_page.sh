#!/usr/bin/env bash
# The landing page in a real browser: headless Chromium (Debian's `chromium`)
# loads `/?refresh=15` from an exporter probing a fake with faults; the
# providers table has a row per provider, the recent probes table rows with
# report links (failures marked), every link answers, and the browser logs no
# console error. Loopback only. Usage: landing_page.sh BIN_DIR
set -euo pipefail
BIN=${1:?usage: landing_page.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
fake_pid=""
trap 'stop_exporter; [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium is not installed"; exit 1; }

start_fake "$work/fake.port" "$here/alert_fake.py" "$work/webhook.jsonl"
fake_pid=$FAKE_PID
cat > "$work/config.yml" <<YAML
global: {interval: 1s, timeout: 900ms}
providers:
  - {name: steady, preset: openai_compatible, base_url: $FAKE/ok/v1}
  - {name: badkey, preset: openai_compatible, base_url: $FAKE/badkey/v1, api_key_env: FAKE_KEY}
  - {name: limited, preset: openai_compatible, base_url: $FAKE/limited/v1}
  - {name: incident, status_page: {url: $FAKE/incident, format: statuspage}}
YAML
FAKE_KEY=test-fake-key-landing-9f3e start_exporter "$work/exporter.log" --config.file="$work/config.yml"
# Wait (bounded) until every provider has been probed a few times.
for _ in $(seq 1 150); do
  [ "$(curl -sf "http://127.0.0.1:$PORT/" | grep -o '>report</a>' | wc -l)" -ge 12 ] && break
  sleep 0.2
done

# --dump-dom prints the DOM after load; console messages go to stderr with
# --enable-logging=stderr (a page script error would read "Uncaught ...").
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --dump-dom "http://127.0.0.1:$PORT/?refresh=15" > "$work/dom.html" 2> "$work/browser.log" || true
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$work/profile" --window-size=1400,1000 \
  --screenshot="${LANDING_SCREENSHOT:-$work/landing.png}" "http://127.0.0.1:$PORT/" > /dev/null 2>&1 || true

python3 - "$work/dom.html" "$work/browser.log" "http://127.0.0.1:$PORT" <<'PY'
import html.parser, sys, urllib.request
dom, log, base = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
passed = failed = 0
def check(what, ok):
    global passed, failed
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    passed, failed = passed + ok, failed + (not ok)

class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.table, self.rows, self.links, self.meta, self.row = None, {}, [], [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.table = a.get("id")
        if tag == "tr" and self.table:
            self.row = {"class": a.get("class", ""), "text": ""}
            self.rows.setdefault(self.table, []).append(self.row)
        if tag == "a" and self.table == "recent": self.links.append(a["href"])
        if tag == "meta": self.meta.append(a)
    def handle_data(self, data):
        if self.row is not None: self.row["text"] += data
    def handle_endtag(self, tag):
        if tag == "table": self.table = None

t = Tables()
t.feed(dom)
check("the browser rendered the page", "<h1>provider_exporter</h1>" in dom)
providers = t.rows.get("providers", [])[1:]
check(f"providers table: a row per provider ({len(providers)})", sorted(r["text"].split("\n")[0][:8] for r in providers) and
      all(any(name in r["text"] for r in providers) for name in ["steady", "badkey", "limited", "incident"]))
check("providers table shows latency, rate-limit headroom and how long ago",
      any(" s" in r["text"] and "% requests" in r["text"] and "ago" in r["text"] for r in providers if "limited" in r["text"]))
recent = t.rows.get("recent", [])[1:]
check(f"recent probes: rows with report links ({len(recent)})", len(recent) >= 5 and len(t.links) == len(recent))
check("failures are marked", any(r["class"] == "failed" for r in recent) and any(r["class"] == "ok" for r in recent))
check("the page asks to refresh every 15 s", any(m.get("http-equiv") == "refresh" and m.get("content") == "15" for m in t.meta))
bad_links = []
for href in t.links[:20]:
    body = urllib.request.urlopen(base + href.replace("&amp;", "&"), timeout=5).read().decode()
    if "result: " not in body or "test-fake-key" in body:
        bad_links.append(href)
check("every report link answers with a report, without key material", not bad_links)
errors = [l for l in log.splitlines() if "CONSOLE" in l or "Uncaught" in l]
check("no console errors", not errors)
print(f"landing page: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
