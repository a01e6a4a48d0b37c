import Foundation
import Glibc
import Testing
@testable import ProviderExporter

/// Issue 9's provider fault matrix, end to end: the real binary probes one
/// provider per fault, all on loopback fakes, with keys from the environment and
/// from files. For every fault: the documented result, `provider_up 0`, `down`
/// after `failure_threshold` (2) failures and one log line saying so; `/metrics`
/// answers within 50 ms (p99) throughout; and no key, nor its first 8
/// characters, appears in any endpoint, log line or error message.
@Suite(.serialized) struct FaultMatrixTests {
    /// Random per run, so that a hit cannot be a coincidence; "fake" marks them as such.
    static func fakeKey() -> String { "fake" + String((0..<28).map { _ in "0123456789abcdef".randomElement()! }) }

    struct Fault {
        /// Provider name, also the path prefix on the fake.
        let name: String
        /// The config entry after `- name: NAME`.
        let entry: String
        /// The check that meets the fault and what it must report.
        let check: String
        let result: ProbeResult
    }

    /// The scripts, and the faults they make, on `fake`, a self-signed TLS
    /// server and a port where nothing listens. `key` is MATRIX_KEY's value.
    static func faults(fake: FakeProvider, key: String, tlsPort: UInt16, closedPort: UInt16) throws -> [Fault] {
        let base = fake.baseURL
        func compatible(_ name: String, _ script: FakeProvider.Script, result: ProbeResult, key: String = "api_key_env: MATRIX_KEY") -> Fault {
            fake.set("/\(name)/v1/models", script)
            return Fault(name: name, entry: "preset: openai_compatible\n    base_url: \(base)/\(name)/v1\n    \(key)", check: "models", result: result)
        }
        var list: [Fault] = [
            compatible("hang", .init(hang: true), result: .timeout),
            compatible("reset-head", .init(resetBeforeHead: true), result: .connect_error, key: "api_key_file: KEYFILE"),
            compatible("reset-body", .init(body: Array(repeating: 32, count: 200_000), resetMidBody: true), result: .connect_error),
            compatible("trickle", .init(body: Array(#"{"data":[]}"#.utf8), trickle: 1.0), result: .timeout),
            compatible("huge", .init(body: Array(repeating: 32, count: 10 << 20)), result: .invalid_response),
            compatible("bad-json", .json(200, #"{"data":[{"id":"m"#), result: .invalid_response, key: "api_key_file: KEYFILE"),
            compatible("html", .init(headers: [("Content-Type", "text/html")], body: Array("<html><body>Welcome</body></html>".utf8)),
                       result: .invalid_response),
            compatible("redirect", .init(status: 302, headers: [("Location", "/elsewhere")], body: []), result: .http_error),
            compatible("retry-seconds", .json(429, #"{"error":{"code":"rate_limit_exceeded"}}"#, headers: [("Retry-After", "3")]),
                       result: .rate_limited),
            compatible("retry-date", FakeProvider.Script(status: 429, body: Array(#"{"error":{"code":"rate_limit_exceeded"}}"#.utf8),
                                                         headersAtRequest: { [("Retry-After", httpDate(Date().addingTimeInterval(3)))] }),
                       result: .rate_limited),
            // A gateway that echoes the key in its error code: redacted, not leaked.
            compatible("echo", .json(401, #"{"error":{"code":"\#(key)"}}"#), result: .auth_error),
            Fault(name: "refused", entry: "preset: openai_compatible\n    base_url: http://127.0.0.1:\(closedPort)/v1\n    api_key_env: MATRIX_KEY",
                  check: "models", result: .connect_error),
            Fault(name: "self-signed", entry: "preset: openai_compatible\n    base_url: https://127.0.0.1:\(tlsPort)/v1\n    api_key_env: MATRIX_KEY",
                  check: "models", result: .tls_error),
        ]
        fake.set("/anthropic/v1/models", FakeProvider.Script(status: 529, body: try fixture("errors/anthropic-529-overloaded_error.json")))
        list.append(Fault(name: "anthropic", entry: "preset: anthropic\n    base_url: \(base)/anthropic/v1\n    api_key_file: KEYFILE",
                          check: "models", result: .overloaded))
        fake.set("/gemini/v1beta/models", .json(400, #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#))
        list.append(Fault(name: "gemini", entry: "preset: gemini\n    base_url: \(base)/gemini/v1beta\n    api_key_env: MATRIX_KEY",
                          check: "models", result: .auth_error))
        fake.set("/openai/v1/models", .json(429, #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#))
        list.append(Fault(name: "openai", entry: "preset: openai\n    base_url: \(base)/openai/v1\n    api_key_env: MATRIX_KEY",
                          check: "models", result: .quota_exhausted))
        // http checks with a secret header: a redirect loop (5 followed, the sixth is the failure).
        fake.set("/loop", .init(status: 302, headers: [("Location", "/loop")], body: []))
        list.append(Fault(name: "loop", entry: """
            preset: openai_compatible
                base_url: \(base)/loop/v1
                api_key_env: MATRIX_KEY
                secret_headers_env: {X-Org-Key: MATRIX_ORG}
                checks: [{name: health, type: http, url: '\(base)/loop'}]
            """, check: "health", result: .http_error))
        if loopbackOnly {
            // Only where no lookup can leave the machine.
            list.append(Fault(name: "nxdomain", entry: "preset: openai_compatible\n    base_url: http://provider.invalid/v1\n    api_key_env: MATRIX_KEY",
                              check: "models", result: .dns_error))
        }
        return list
    }

    static func httpDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }

    static func config(_ faults: [Fault], keyFile: String, fake: FakeProvider, other: FakeProvider) -> String {
        var text = "global: {interval: 2s, timeout: 1s, failure_threshold: 2}\nproviders:\n"
        for f in faults { text += "  - name: \(f.name)\n    \(f.entry.replacingOccurrences(of: "KEYFILE", with: keyFile))\n" }
        // Success case: a redirect to another origin gets neither the secret header nor the key.
        fake.set("/away", .init(status: 307, headers: [("Location", other.baseURL + "/landing")], body: []))
        other.set("/landing", .json(200, #"{"status":"ok"}"#))
        text += """
          - name: cross-origin
            preset: openai_compatible
            base_url: \(fake.baseURL)/cross/v1
            api_key_env: MATRIX_KEY
            secret_headers_env: {X-Org-Key: MATRIX_ORG}
            checks: [{name: health, type: http, url: '\(fake.baseURL)/away', expect_body: '"ok"'}]

        """
        return text
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func closedPort() throws -> UInt16 {
        let fake = try FakeProvider()
        let port = fake.port
        fake.stop()
        return port
    }

    @Test func everyFaultHasItsResultStateAndLogAndNoSecretLeaks() async throws {
        try await offPool {
            let key = Self.fakeKey(), fileKey = Self.fakeKey(), org = Self.fakeKey()
            let fake = try FakeProvider(), other = try FakeProvider(), tls = try HTTPSFakeProvider()
            defer { fake.stop(); other.stop(); tls.stop() }
            let faults = try Self.faults(fake: fake, key: key, tlsPort: tls.port, closedPort: try Self.closedPort())
            let keyFile = try TestBinary.writeTemp("matrix.key", fileKey + "\n")
            let path = try TestBinary.writeTemp("matrix.yml", Self.config(faults, keyFile: keyFile, fake: fake, other: other))
            let environment = ["MATRIX_KEY": key, "MATRIX_ORG": org]
            let run = try TestBinary.start(["--config.file=\(path)", "--log.level=debug"], environment: environment)
            defer { if run.process.isRunning { kill(run.process.processIdentifier, SIGKILL) } }
            let watch = ScrapeWatch(port: run.port)
            let client = try RawClient(port: run.port)

            func value(_ values: [String: Double], _ name: String, _ labels: String) -> Double? { values["\(name){\(labels)}"] }
            func settled(_ values: [String: Double]) -> Bool {
                faults.allSatisfy { f in
                    value(values, "provider_state", "provider=\"\(f.name)\",state=\"down\"") == 1
                        && value(values, "provider_last_result", "check=\"\(f.check)\",provider=\"\(f.name)\",result=\"\(f.result)\"") == 1
                } && value(values, "provider_up", "check=\"health\",provider=\"cross-origin\"") == 1
            }
            var values: [String: Double] = [:]
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                values = samples(try client.get("/metrics").text)
                if settled(values) { break }
                usleep(250_000)
            }
            let scrapes = watch.stop()

            for f in faults {
                let labels = "check=\"\(f.check)\",provider=\"\(f.name)\""
                #expect(value(values, "provider_last_result", labels + ",result=\"\(f.result)\"") == 1,
                        "\(f.name): \(values.filter { $0.key.hasPrefix("provider_last_result{\(labels)") && $0.value == 1 }.keys)")
                #expect(value(values, "provider_up", labels) == 0, "\(f.name)")
                #expect((value(values, "provider_probes_total", labels + ",result=\"\(f.result)\"") ?? 0) >= 2, "\(f.name)")
                #expect((value(values, "provider_consecutive_failures", labels) ?? 0) >= 2, "\(f.name)")
                #expect(value(values, "provider_state", "provider=\"\(f.name)\",state=\"down\"") == 1, "\(f.name)")
            }
            // Retry-After, in seconds and as a date: the hint, and the next probe postponed to it.
            for name in ["retry-seconds", "retry-date"] {
                let labels = "check=\"models\",provider=\"\(name)\""
                let hint = value(values, "provider_retry_after_seconds", labels) ?? 0
                #expect(hint > 1 && hint <= 3, "\(name): Retry-After \(hint)")
                let gap = (value(values, "provider_next_probe_timestamp_seconds", labels) ?? 0)
                    - (value(values, "provider_last_probe_timestamp_seconds", labels) ?? 0)
                #expect(gap >= hint - 0.01, "\(name): next probe \(gap) s after the last, Retry-After \(hint)")
            }
            // The redirect loop: the first request and 5 followed, per probe.
            let loops = fake.requests.filter { $0.path == "/loop" }
            #expect(loops.count >= 12 && loops.allSatisfy { $0.headers["x-org-key"] == org })
            // Another origin: followed, but neither the secret header nor the key went there.
            #expect(value(values, "provider_up", "check=\"health\",provider=\"cross-origin\"") == 1)
            #expect(!other.requests.isEmpty)
            for r in other.requests {
                #expect(r.headers["x-org-key"] == nil && r.headers["authorization"] == nil && !r.headers.values.contains { $0.contains(key) })
            }
            // A models check never follows a redirect.
            #expect(!fake.requests.contains { $0.path == "/elsewhere" })

            // /metrics kept answering throughout.
            let p99 = ScrapeWatch.percentile(scrapes.latencies, 0.99)
            #expect(scrapes.failures.isEmpty, "\(scrapes.failures.prefix(3))")
            #expect(scrapes.latencies.count > 100 && p99 < 0.05, "\(scrapes.latencies.count) scrapes, p99 \(p99 * 1000) ms")
            print("fault matrix: \(faults.count) faults, \(scrapes.latencies.count) scrapes of /metrics meanwhile, p99 "
                  + "\((p99 * 1000).rounded()) ms, max \(((scrapes.latencies.max() ?? 0) * 1000).rounded()) ms")

            // Every output, every error: a failed reload (a missing variable, a
            // missing file), --config.check and --config.print with the keys set.
            var outputs: [String: String] = [:]
            for target in ["/metrics", "/config", "/api/v1/providers", "/", "/probe?provider=echo", "/probe?provider=anthropic",
                           "/probe?provider=loop", "/probe?provider=cross-origin"] {
                outputs[target] = try client.get(target).text
            }
            outputs["openmetrics"] = try client.get("/metrics", headers: ["Accept: application/openmetrics-text; version=1.0.0"]).text
            // Debug reports: of the probes /probe just ran or reused, and of every
            // recent probe the landing page links to.
            for target in ["/probe?provider=echo&debug=true", "/probe?target=anthropic&debug=true",
                           "/probe?target=loop&module=health&debug=true", "/probe?provider=cross-origin&debug=true"] {
                outputs[target] = try client.get(target).text
            }
            #expect(outputs["/probe?provider=echo&debug=true"]!.contains("<secret>"))
            let landing = try client.get("/").text
            let ids = landing.components(separatedBy: "/probe?debug=true&amp;id=").dropFirst().compactMap { $0.split(separator: "\"").first }
            #expect(ids.count >= 10, "recent probes listed: \(ids.count)")
            for id in ids { outputs["report \(id)"] = try client.get("/probe?debug=true&id=\(id)").text }
            let valid = try String(contentsOfFile: path, encoding: .utf8)
            try Data((valid + "  - {name: extra, preset: openai, api_key_env: MATRIX_UNSET, api_key_file: \(keyFile)}\n").utf8)
                .write(to: URL(fileURLWithPath: path))
            outputs["reload error"] = try client.get("/-/reload", method: "POST").text
            #expect(outputs["reload error"]!.contains("config reload failed"))
            try Data(valid.utf8).write(to: URL(fileURLWithPath: path))
            let check = try TestBinary.runToEnd(["--config.file=\(path)", "--config.check"], environment: environment)
            #expect(check.status == 0, "\(check.stderr)")
            let printed = try TestBinary.runToEnd(["--config.file=\(path)", "--config.print"], environment: environment)
            #expect(printed.stdout.contains("api_key_env: MATRIX_KEY  # <secret>"))
            #expect(printed.stdout.contains("secret_headers_env: {X-Org-Key: MATRIX_ORG}  # values: <secret>"))
            outputs["--config.check"] = check.stdout + check.stderr
            outputs["--config.print"] = printed.stdout + printed.stderr
            let broken = try TestBinary.writeTemp("matrix-broken.yml", valid.replacingOccurrences(of: "MATRIX_KEY", with: "MATRIX_KEY_UNSET"))
            let failedCheck = try TestBinary.runToEnd(["--config.file=\(broken)", "--config.check"], environment: environment)
            #expect(failedCheck.status == 1)
            outputs["failed --config.check"] = failedCheck.stdout + failedCheck.stderr

            kill(run.process.processIdentifier, SIGTERM)
            _ = waitUntil { !run.process.isRunning }
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            outputs["log"] = log
            // One line per provider going down, naming the check and the result.
            let changes = log.split(separator: "\n").filter { $0.contains("msg=\"provider state changed\"") && $0.contains("to=down") }
            for f in faults {
                // The first failure only degrades it; the second (the threshold) takes it down.
                #expect(changes.contains { $0.contains("provider=\(f.name) from=degraded to=down check=\(f.check) result=\(f.result)") },
                        "\(f.name): \(changes.filter { $0.contains("provider=\(f.name) ") })")
            }
            #expect(outputs["/"]!.contains("HTTP 401: &lt;secret&gt;"), "the landing page shows the echoing gateway's error, redacted")
            #expect(outputs["/api/v1/providers"]!.contains("HTTP 302 to \(fake.baseURL)/elsewhere (not followed)"))

            for (source, text) in outputs {
                for secret in [key, fileKey, org] {
                    #expect(!text.contains(secret.prefix(8)), "\(source) shows key material")
                }
            }
        }
    }

    /// While probes hang (no answer; a body at a byte a second), the exporter
    /// waits in the kernel: under 2% of a core.
    @Test func hangingProbesLeaveTheExporterIdle() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/hang/v1/models", .init(hang: true))
            fake.set("/trickle/v1/models", .init(body: Array(repeating: 32, count: 100), trickle: 1.0))
            let path = try TestBinary.writeTemp("idle.yml", """
            global: {interval: 6s, timeout: 5500ms}
            providers:
              - {name: hang, preset: openai_compatible, base_url: '\(fake.baseURL)/hang/v1'}
              - {name: trickle, preset: openai_compatible, base_url: '\(fake.baseURL)/trickle/v1'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)"])
            defer { kill(run.process.processIdentifier, SIGKILL); run.process.waitUntilExit() }
            // Wait (bounded) until both probes are in flight, then leave the exporter alone.
            try #require(waitUntil { Set(fake.requests.map(\.path)).count == 2 })
            let started = fake.requests.map(\.receivedAt).max()!
            let before = processCPUSeconds(run.process.processIdentifier)
            usleep(3_000_000)
            let used = processCPUSeconds(run.process.processIdentifier) - before
            // Both were still in flight for the whole window (their timeout is 5.5 s).
            #expect(Posix.monotonicSeconds() - started < 5.4)
            #expect(used < 0.08, "exporter used \(used) s of CPU in 3 s while two probes hung")
            print("hanging probes: exporter CPU \(used) s in 3 s")
        }
    }
}
