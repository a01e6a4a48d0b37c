#!/usr/bin/env python3
"""Static checks of grafana/provider_exporter.json: what Grafana 10/11 needs to
import it (inputs, datasource variable, provider/check variables, uid, tags,
schemaVersion), every panel expression through promtool's PromQL parser, and
every metric it names declared by the exporter or recorded by alerts.yml."""
import json, os, re, subprocess, sys, tempfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
dash = json.load(open(os.path.join(root, "grafana", "provider_exporter.json")))
failures = []
passes = []

def check(what, ok):
    print(("ok   - " if ok else "FAIL - ") + what)
    (passes if ok else failures).append(what)

check("__inputs has DS_PROMETHEUS", any(i.get("name") == "DS_PROMETHEUS" and i.get("pluginId") == "prometheus" for i in dash.get("__inputs", [])))
variables = {v["name"]: v for v in dash["templating"]["list"]}
check("datasource template variable", variables.get("datasource", {}).get("type") == "datasource")
check("provider variable from label_values", "label_values(" in variables.get("provider", {}).get("definition", ""))
check("check variable from label_values", "label_values(" in variables.get("check", {}).get("definition", ""))
exporter = variables.get("instance", {})
check("instance (exporter) variable: label_values, multi-select, All by default",
      "label_values(" in exporter.get("definition", "") and exporter.get("multi") is True and exporter.get("includeAll") is True
      and exporter.get("current", {}).get("value") == ["$__all"])
check("fixed uid", dash.get("uid") == "provider-exporter")
check("tags", bool(dash.get("tags")))
check("schemaVersion >= 39", dash.get("schemaVersion", 0) >= 39)
ids = [p["id"] for p in dash["panels"]]
check("panel ids unique", len(ids) == len(set(ids)))
check("every panel uses the datasource variable",
      all(p.get("datasource", {}).get("uid") == "${datasource}" for p in dash["panels"]))
titles = " ".join(p["title"] for p in dash["panels"]).lower()
for needed in ["providers", "state", "latency", "results", "rate limit", "incident", "credit", "exporter"]:
    check(f"a panel about {needed}", needed in titles)

exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
check("every panel query is filtered by the exporter variable",
      all('instance=~"$instance"' in e for e in exprs))
check("a panel shows up and latency per exporter side by side",
      any("per exporter" in p["title"].lower() and all("instance" in t["expr"] for t in p["targets"]) for p in dash["panels"]))
exprs += [v["definition"] for v in dash["templating"]["list"] if v.get("type") == "query"]
def concrete(expr):
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$provider", ".*").replace("$check", ".*").replace("$instance", ".*")
    m = re.match(r"label_values\((.*), *\w+\)$", expr)
    return m.group(1) if m else expr

# promtool parses rule expressions: one recording rule per panel expression.
rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:expr_{i}", "expr": concrete(e)} for i, e in enumerate(exprs)]}]}
with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
    json.dump(rules, f)  # JSON is YAML
out = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
os.unlink(f.name)
check(f"all {len(exprs)} expressions parse (promtool)", out.returncode == 0)
if out.returncode != 0:
    print(out.stdout + out.stderr)

# Families are declared in Families.swift, the per-check ones in CheckFamilies.swift.
declared = set()
for declarations in ["Families.swift", "CheckFamilies.swift"]:
    text = open(os.path.join(root, "Sources/ProviderExporter/Metrics", declarations)).read()
    declared |= set(re.findall(r'"((?:provider|process)_[a-z_]+)"', text))
recorded = set(re.findall(r"record: ([a-z0-9_:]+)", open(os.path.join(root, "alerts.yml")).read()))
known = set(declared) | recorded
for family in list(declared):
    known |= {family + "_bucket", family + "_sum", family + "_count"}
names = set()
for e in exprs:
    names |= set(re.findall(r"\b((?:provider|process)[a-z0-9_:]*)", e))
unknown = sorted(n for n in names if n not in known and n not in {"provider", "process"})
check("every metric name is declared or recorded" + (f" (unknown: {unknown})" if unknown else ""), not unknown)

print(f"dashboard: {len(passes)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
