#!/usr/bin/env python3
"""A minimal OpenAI-compatible fake for the end-to-end scripts: GET /v1/models
answers a model list with OpenAI-style rate-limit headers, /status/api/v2/summary.json
a small status page (label values that need escaping); anything else 500. Binds 127.0.0.1 on an ephemeral port and prints the port. Loopback only."""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/status/api/v2/summary.json":
            body = json.dumps({
                "status": {"indicator": "minor"},
                "components": [{"id": "c1", "name": "API \"v1\"", "status": "degraded_performance"}],
                "incidents": [{"id": "i1", "name": "Slow \\ responses", "status": "investigating", "impact": "minor",
                               "created_at": "2026-11-20T07:00:00Z", "incident_updates": []}],
                "scheduled_maintenances": []}).encode()
            self.send_response(200)
        elif self.path.startswith("/v1/models"):
            body = json.dumps({"object": "list", "data": [{"id": "llama-3.1-8b"}]}).encode()
            self.send_response(200)
            for name, value in [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "42"),
                                ("x-ratelimit-reset-requests", "6m0s"), ("x-ratelimit-limit-tokens", "30000"),
                                ("x-ratelimit-remaining-tokens", "29000")]:
                self.send_header(name, value)
        else:
            body = b'{"error":{"type":"api_error"}}'
            self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
