#!/usr/bin/env python3
"""A minimal OpenAI-compatible fake for the end-to-end scripts: GET /v1/models
answers a model list with OpenAI-style rate-limit headers, /status/api/v2/summary.json
a small status page (label values that need escaping), /ds/user/balance a
DeepSeek-style balance; POST .../chat/completions a completion (SSE when the
request streams); /limited/models always 429 rate_limit_exceeded; /retired/models
404 model_not_found (a refused request); /region/models a WAF's 403 HTML page (a
refused location); /badkey/models 401 invalid_api_key; /quota/models 429
insufficient_quota; anything else 500. Binds 127.0.0.1 on an ephemeral port and prints the port. Loopback only."""
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
        elif self.path == "/ds/user/balance":
            body = json.dumps({"is_available": True, "balance_infos": [{"currency": "USD", "total_balance": "4.20"}]}).encode()
            self.send_response(200)
        elif self.path.startswith("/v1/models"):
            body = json.dumps({"object": "list", "data": [{"id": "llama-3.1-8b"}]}).encode()
            self.send_response(200)
            for name, value in [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "42"),
                                ("x-ratelimit-reset-requests", "6m0s"), ("x-ratelimit-limit-tokens", "30000"),
                                ("x-ratelimit-remaining-tokens", "29000")]:
                self.send_header(name, value)
        elif self.path.startswith("/limited/models"):
            body = b'{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}'
            self.send_response(429)
        elif self.path.startswith("/badkey/models"):
            body = b'{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}'
            self.send_response(401)
        elif self.path.startswith("/quota/models"):
            body = b'{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}'
            self.send_response(429)
        elif self.path.startswith("/retired/models"):
            body = b'{"error":{"message":"The model does not exist","type":"invalid_request_error","code":"model_not_found"}}'
            self.send_response(404)
        elif self.path.startswith("/region/models"):
            body = b"<html><body><h1>Sorry, you have been blocked</h1></body></html>"
            self.send_response(403)
            self.send_header("Content-Type", "text/html")
        else:
            body = b'{"error":{"type":"api_error"}}'
            self.send_response(500)
        if not self.path.startswith("/region/"):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.endswith("/chat/completions") and request.get("stream"):
            body = b"".join([
                b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n',
                b'data: {"choices":[{"index":0,"delta":{"content":"OK"}}]}\n\n',
                b'data: {"choices":[],"usage":{"prompt_tokens":14,"completion_tokens":1}}\n\n',
                b"data: [DONE]\n\n"])
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
        elif self.path.endswith("/chat/completions"):
            body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "OK"}}],
                               "usage": {"prompt_tokens": 14, "completion_tokens": 1}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = b'{"error":{"type":"api_error"}}'
            self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
