import Foundation
import Synchronization
import Testing
@testable import ProviderExporter

/// Parses text-format samples into "name{labels}" -> value (tests only).
func samples(_ text: String) -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        out[String(line[..<space])] = Double(line[line.index(after: space)...])
    }
    return out
}

/// The real binary probing a fake provider over loopback.
@Suite(.serialized) struct ExporterProbingTests {
    static let key = "test-key-gw-secret-123"
    static let orgSecret = "test-org-secret-456"

    static func config(_ fake: FakeProvider) -> String {
        """
        global: {interval: 1s, timeout: 900ms, failure_threshold: 2}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
            api_key_env: GW_KEY
            secret_headers_env: {X-Org-Key: ORG_KEY}
            priority: 2
            checks:
              - {name: models, type: models, expect_model: llama-3.1-8b}
              - {name: health, type: http, url: '\(fake.baseURL)/health', expect_body: '"ok"'}
          - name: second
            preset: openai_compatible
            base_url: \(fake.baseURL)/v2
            priority: 1

        """
    }

    @Test func probesReportMetricsAPIAndNeverLeakSecrets() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", .json(200, #"{"object":"list","data":[{"id":"llama-3.1-8b"}]}"#, headers: [
                ("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "99"), ("x-ratelimit-reset-requests", "6s")]))
            fake.set("/health", .json(200, #"{"status":"ok"}"#))
            fake.set("/v2/models", .json(200, #"{"data":[]}"#))
            let path = try TestBinary.writeTemp("probing.yml", Self.config(fake))
            let run = try TestBinary.start(["--config.file=\(path)", "--log.level=debug"],
                                            environment: ["GW_KEY": Self.key, "ORG_KEY": Self.orgSecret])
            let client = try RawClient(port: run.port)

            var values: [String: Double] = [:]
            for _ in 0..<300 {
                values = samples(try client.get("/metrics").text)
                if values["provider_up{check=\"health\",provider=\"gw\"}"] == 1 && values["provider_up{check=\"models\",provider=\"gw\"}"] == 1
                    && values["provider_up{check=\"models\",provider=\"second\"}"] == 1 { break }
                usleep(100_000)
            }
            #expect(values["provider_up{check=\"models\",provider=\"gw\"}"] == 1)
            #expect(values["provider_up{check=\"health\",provider=\"gw\"}"] == 1)
            #expect(values["provider_http_status_code{check=\"models\",provider=\"gw\"}"] == 200)
            #expect(values["provider_ratelimit_limit{check=\"models\",provider=\"gw\",resource=\"requests\"}"] == 100)
            #expect(values["provider_ratelimit_remaining{check=\"models\",provider=\"gw\",resource=\"requests\"}"] == 99)
            #expect(values["provider_state{provider=\"gw\",state=\"healthy\"}"] == 1)
            #expect(values["provider_info{preset=\"openai_compatible\",priority=\"2\",provider=\"gw\"}"] == 1)
            #expect((values["provider_probe_duration_seconds_count{check=\"models\",provider=\"gw\"}"] ?? 0) >= 1)
            #expect(values["provider_probes_total{check=\"models\",provider=\"gw\",result=\"timeout\"}"] == 0)
            #expect((values["provider_next_probe_timestamp_seconds{check=\"models\",provider=\"gw\"}"] ?? 0) > Date().timeIntervalSince1970 - 10)

            // The key went where it belongs, the secret header too.
            let models = try #require(fake.requests.first { $0.path == "/v1/models" })
            #expect(models.headers["authorization"] == "Bearer \(Self.key)" && models.headers["x-org-key"] == Self.orgSecret)
            #expect(models.headers["user-agent"] == "provider_exporter/\(BuildInfo.version)")

            // /probe: runs now, answers only that provider's series.
            let probed = try client.get("/probe?provider=gw&check=models", headers: ["X-Prometheus-Scrape-Timeout-Seconds: 10"])
            #expect(probed.status == 200)
            #expect(probed.text.contains("provider_up{check=\"models\",provider=\"gw\"} 1"))
            #expect(!probed.text.contains("provider=\"second\"") && !probed.text.contains("check=\"health\""))
            #expect(try client.get("/probe?provider=nope").status == 404)
            #expect(try client.get("/probe?provider=gw&check=nope").status == 404)
            #expect(try client.get("/probe").status == 400)

            // /api/v1/providers: best first, priority before name.
            let api = try client.get("/api/v1/providers")
            #expect(api.headers["content-type"] == "application/json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [String: Any])
            let providers = try #require(json["providers"] as? [[String: Any]])
            #expect(providers.map { $0["name"] as? String } == ["second", "gw"])
            #expect(providers[1]["state"] as? String == "healthy" && providers[1]["priority"] as? Int == 2)
            let checks = try #require(providers[1]["checks"] as? [[String: Any]])
            #expect(checks.map { $0["name"] as? String } == ["models", "health"])
            let limits = try #require((checks[0]["ratelimits"] as? [String: Any])?["requests"] as? [String: Any])
            #expect(limits["remaining"] as? Int == 99)
            #expect((providers[1]["health_score"] as? Double ?? 0) > 0.5)

            let landing = try client.get("/").text
            #expect(landing.contains("<td>gw</td><td class=\"healthy\">healthy</td>"))

            // Failures: two 500s make the provider down, with one warn line.
            fake.set("/v1/models", .json(500, #"{"error":{"type":"api_error"}}"#))
            var down = false
            for _ in 0..<300 where !down {
                down = samples(try client.get("/metrics").text)["provider_state{provider=\"gw\",state=\"down\"}"] == 1
                if !down { usleep(100_000) }
            }
            #expect(down)

            let everything = try [client.get("/metrics").text, client.get("/config").text, client.get("/").text,
                                  client.get("/api/v1/providers").text, probed.text]
            run.process.terminate()
            run.process.waitUntilExit()
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let changes = log.split(separator: "\n").filter { $0.contains("state changed") }
            #expect(changes.contains { $0.contains("msg=\"provider state changed\" provider=gw from=degraded to=down check=models result=server_error") },
                    "\(changes)")
            #expect(log.contains("msg=probe provider=gw check=models result=success"))
            for text in everything + [log] {
                #expect(!text.contains(Self.key) && !text.contains(Self.orgSecret))
            }
        }
    }

    /// Twenty `/probe` requests at once for a slow check: one call reaches the
    /// provider (plus at most the scheduled probe), and every request is answered
    /// with the shared result.
    @Test func concurrentProbeRequestsShareOneProbe() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", FakeProvider.Script(body: Array(#"{"data":[]}"#.utf8), delay: 0.5))
            let path = try TestBinary.writeTemp("shared-probe.yml", """
            global: {interval: 1h, timeout: 5s}
            providers:
              - {name: slow, preset: openai_compatible, base_url: '\(fake.baseURL)/v1'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)"])
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let before = fake.requests.count
            let answers = Mutex<[Int]>([])
            // A thread each (concurrentPerform would run only as many as there are cores).
            let done = DispatchGroup()
            for _ in 0..<20 {
                done.enter()
                Foundation.Thread.detachNewThread {
                    let status = (try? RawClient(port: run.port, timeout: 10).get("/probe?provider=slow"))
                        .map { $0.status == 200 && $0.text.contains("provider_up{check=\"models\",provider=\"slow\"} 1") ? 200 : $0.status } ?? 0
                    answers.withLock { $0.append(status) }
                    done.leave()
                }
            }
            #expect(done.wait(timeout: .now() + 20) == .success)
            #expect(answers.withLock { $0 } == Array(repeating: 200, count: 20))
            // One shared probe, and possibly the check's own scheduled run.
            #expect(fake.requests.count - before <= 2, "\(fake.requests.count - before) calls to the provider")
        }
    }

    /// Proxies come from the usual environment variables (libcurl reads them).
    @Test func probesGoThroughTheProxyFromTheEnvironment() async throws {
        try await offPool {
            let proxy = try FakeProvider()
            defer { proxy.stop() }
            // A proxy receives the absolute URL as the request target; the host
            // never resolves here, so only the proxy can have answered.
            proxy.set("http://provider.invalid/v1/models", .json(200, #"{"data":[]}"#))
            let path = try TestBinary.writeTemp("proxy.yml", """
            global: {interval: 1s, timeout: 900ms}
            providers:
              - {name: viaproxy, preset: openai_compatible, base_url: 'http://provider.invalid/v1'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)"], environment: ["http_proxy": proxy.baseURL, "NO_PROXY": ""])
            defer { run.process.terminate() }
            let client = try RawClient(port: run.port)
            var up: Double? = nil
            for _ in 0..<300 where up != 1 {
                up = samples(try client.get("/metrics").text)["provider_up{check=\"models\",provider=\"viaproxy\"}"]
                if up != 1 { usleep(100_000) }
            }
            #expect(up == 1)
            #expect(proxy.requests.first?.path == "http://provider.invalid/v1/models")
        }
    }
}
