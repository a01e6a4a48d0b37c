#!/usr/bin/env python3
"""Fake provider and Alertmanager webhook for the alert scenarios
(Tests/e2e/alert_scenarios.sh). Loopback only; prints its port.

Tenants by path prefix, each an OpenAI-compatible API or a status page:
  /outage/v1/models   200, or 500 while /control?outage=fail
  /badkey/v1/models   always 401 invalid_api_key
  /limited/v1/models  always 429 with x-ratelimit-remaining-requests 1 of 100
  /steady/v1/models   200, except exactly one 500 (its 30th request)
  /hang/v1/models     answers only after 5 s (a probe with a shorter timeout times out)
  /ok*/v1/models      always 200
  /incident/api/v2/summary.json   a page with a critical incident
POST /webhook         Alertmanager notifications, appended to the file named
                      by argv[1], one JSON line each with the receive time."""
import http.server, json, sys, threading, time

state = {"outage": "ok", "steady_count": 0}
lock = threading.Lock()
webhook_file = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a probe that timed out (/hang/) has gone

    def do_GET(self):
        models = {"object": "list", "data": [{"id": "m"}]}
        if self.path.startswith("/control?outage="):
            with lock:
                state["outage"] = self.path.split("=", 1)[1]
            return self.reply(200, {"outage": state["outage"]})
        if self.path.startswith("/outage/"):
            with lock:
                failing = state["outage"] == "fail"
            return self.reply(500, {"error": {"type": "api_error"}}) if failing else self.reply(200, models)
        if self.path.startswith("/ok"):
            return self.reply(200, models)
        if self.path.startswith("/hang/"):
            time.sleep(5)
            return self.reply(200, models)
        if self.path.startswith("/badkey/"):
            return self.reply(401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}})
        if self.path.startswith("/limited/"):
            return self.reply(429, {"error": {"code": "rate_limit_exceeded"}},
                              [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "1"),
                               ("x-ratelimit-reset-requests", "30s")])
        if self.path.startswith("/steady/"):
            with lock:
                state["steady_count"] += 1
                once = state["steady_count"] == 30
            return self.reply(500, {"error": {"type": "api_error"}}) if once else self.reply(200, models)
        if self.path == "/incident/api/v2/summary.json":
            return self.reply(200, {
                "status": {"indicator": "critical"},
                "components": [{"id": "c1", "name": "API", "status": "major_outage"}],
                "incidents": [{"id": "inc1", "name": "API unavailable", "status": "investigating", "impact": "critical",
                               "created_at": "2026-11-23T10:00:00Z", "incident_updates": []}],
                "scheduled_maintenances": []})
        return self.reply(404, {"error": "no such path"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/webhook":
            with lock, open(webhook_file, "a") as f:
                f.write(json.dumps({"received": time.time(), "payload": json.loads(body)}) + "\n")
            return self.reply(200, {})
        return self.reply(404, {})

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
