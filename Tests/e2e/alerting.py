"""Shared by the alert scripts (alert_scenarios.sh, multi_exporter.sh): count
checks, read the webhook's notifications, wait for one, query Prometheus."""
import json, time, urllib.parse, urllib.request


class Alerting:
    def __init__(self, hook, prom):
        self.hook, self.prom = hook, prom
        self.passed = self.failed = 0

    def check(self, what, ok):
        print(("ok   - " if ok else "FAIL - ") + what, flush=True)
        self.passed, self.failed = self.passed + bool(ok), self.failed + (not ok)

    def notifications(self):
        """(received time, status, labels) of every alert the webhook got."""
        out = []
        for line in open(self.hook):
            n = json.loads(line)
            for a in n["payload"]["alerts"]:
                out.append((n["received"], a["status"], a["labels"]))
        return out

    def wait_for(self, pred, limit):
        """The first notification matching pred(time, status, labels), waiting at most limit seconds."""
        end = time.time() + limit
        while time.time() < end:
            hit = [n for n in self.notifications() if pred(*n)]
            if hit:
                return hit[0]
            time.sleep(0.5)
        return None

    def answer(self, q):
        """Prometheus' whole answer to an instant query."""
        url = self.prom + "/api/v1/query?query=" + urllib.parse.quote(q)
        return json.load(urllib.request.urlopen(url, timeout=5))

    def query(self, q):
        return self.answer(q)["data"]["result"]

    def summary(self, name):
        print(f"{name}: {self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed else 0
