import Foundation
import Testing
import ProviderExporter

/// Tests that run the built `provider_exporter` binary as users do.
@Suite(.serialized) struct BinaryTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func signalStopsWithStatusZeroWithinFiveSeconds(signal: Int32) async throws {
        try await offPool {
            let run = try TestBinary.start()
            // An idle keep-alive connection must not hold the exit up.
            let client = try RawClient(port: run.port)
            #expect(try client.get("/metrics").status == 200)
            let start = Date()
            kill(run.process.processIdentifier, signal)
            run.process.waitUntilExit()
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(run.process.terminationReason == .exit)
            #expect(run.process.terminationStatus == 0)
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("msg=stopped"))
        }
    }

    /// Regression: the signals were ignored from the top of main until the
    /// handlers came up after the server had started, and a SIGTERM in that
    /// window was lost: the process ran on (found by Tests/bench/idle.py, which
    /// stops the exporter as soon as /-/ready answers). SIGTERM at every point
    /// of start-up, 0 to 60 ms after exec, must end the process within 5 s.
    @Test func signalAtAnyPointOfStartUpStops() async throws {
        let config = try TestBinary.loopbackConfigPath()
        try await offPool {
            for delay in stride(from: 0, through: 60_000, by: 3_000) {
                let process = Process()
                process.executableURL = TestBinary.binary
                process.environment = ["PATH": "/usr/bin:/bin"]
                process.arguments = ["--web.listen-address=127.0.0.1:0", "--config.file=\(config)", "--log.level=error"]
                try process.run()
                usleep(useconds_t(delay))
                kill(process.processIdentifier, SIGTERM)
                let deadline = Date().addingTimeInterval(5)
                while process.isRunning && Date() < deadline { usleep(10_000) }
                let stopped = !process.isRunning
                if !stopped { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                try #require(stopped, "SIGTERM \(delay / 1000) ms after exec was lost")
            }
        }
    }


    @Test func unknownFlagExitsTwoNamingIt() async throws {
        try await offPool {
            let result = try TestBinary.runToEnd(["--web.listen-adress=:1"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("--web.listen-adress"))
        }
    }

    @Test func versionAndHelp() async throws {
        try await offPool {
            let version = try TestBinary.runToEnd(["--version"])
            #expect(version.status == 0 && version.stdout.hasPrefix("provider_exporter, version \(BuildInfo.version)"))
            let help = try TestBinary.runToEnd(["--help"])
            #expect(help.status == 0 && help.stdout.contains("--web.max-connections"))
        }
    }

    @Test func busyPortIsAClearErrorNotACrash() async throws {
        try await offPool {
            let run = try TestBinary.start()
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let second = try TestBinary.runToEnd(["--web.listen-address=127.0.0.1:\(run.port)", "--config.file=\(TestBinary.loopbackConfigPath())"])
            #expect(second.status == 1)
            #expect(second.stderr.contains("Address already in use"))
        }
    }

    @Test func jsonLogFormat() async throws {
        try await offPool {
            let run = try TestBinary.start(["--log.format=json"])
            run.process.terminate()
            run.process.waitUntilExit()
            let rest = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in rest.split(separator: "\n") {
                #expect(line.hasPrefix("{\"ts\":") && line.hasSuffix("}"))
            }
        }
    }


    static let goodConfig = """
    providers:
      - name: gw
        preset: openai_compatible
        base_url: http://127.0.0.1:9/v1
        secret_headers_env: {X-Org-Key: ORG_KEY}
      - name: openai
        preset: openai
        api_key_env: OPENAI_API_KEY

    """
    static let keys = ["OPENAI_API_KEY": "test-key-openai-123", "ORG_KEY": "test-org-secret-456"]

    @Test func configCheckPassesAndFailsWithLocations() async throws {
        try await offPool {
            let good = try TestBinary.writeTemp("good.yml", Self.goodConfig)
            let ok = try TestBinary.runToEnd(["--config.file=\(good)", "--config.check"], environment: Self.keys)
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout.contains("provider gw; preset openai_compatible; checks: models (models every 1m)"))
            #expect(ok.stdout.hasSuffix("config OK: 2 provider(s)\n"))

            let bad = try TestBinary.writeTemp("bad.yml", Self.goodConfig.replacingOccurrences(of: "base_url:", with: "base_urll:"))
            let failed = try TestBinary.runToEnd(["--config.file=\(bad)", "--config.check"], environment: Self.keys)
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("\(bad):4:5: providers[0]: unknown key 'base_urll' (did you mean 'base_url'?)"))
            #expect(failed.stderr.contains("\(bad):2:5: providers[0]: preset 'openai_compatible' needs base_url"))

            let missingKey = try TestBinary.runToEnd(["--config.file=\(good)", "--config.check"], environment: ["ORG_KEY": "x"])
            #expect(missingKey.status == 1)
            #expect(missingKey.stderr.contains("environment variable OPENAI_API_KEY is not set"))
        }
    }

    @Test func configPrintNeverShowsSecrets() async throws {
        try await offPool {
            let good = try TestBinary.writeTemp("print.yml", Self.goodConfig)
            let printed = try TestBinary.runToEnd(["--config.file=\(good)", "--config.print"], environment: Self.keys)
            #expect(printed.status == 0)
            #expect(printed.stdout.contains("api_key_env: OPENAI_API_KEY  # <secret>"))
            for secret in Self.keys.values { #expect(!printed.stdout.contains(secret) && !printed.stderr.contains(secret)) }
            let builtIn = try TestBinary.runToEnd(["--config.print"], environment: Self.keys)
            #expect(builtIn.stdout.contains("name: openai") && builtIn.stdout.contains("# checks from the preset: models"))
            #expect(!builtIn.stdout.contains("test-key-openai-123"))
        }
    }

    /// With no key set, the built-in default lists every preset that has a
    /// status page, by that page: OpenRouter, DeepSeek, xAI and NVIDIA among them.
    @Test func configPrintWithNoKeysListsEveryStatusPage() async throws {
        try await offPool {
            let printed = try TestBinary.runToEnd(["--config.print"], environment: [:])
            #expect(printed.status == 0)
            for page in [#"{url: "https://status.openrouter.ai", format: datadog"#,
                         #"{url: "https://status.deepseek.com/api/status-page/6410630422455", format: flashduty"#,
                         #"{url: "https://status.x.ai/feed.xml", format: rss"#,
                         #"{url: "https://status.ngc.nvidia.com", format: statuspage"#] {
                #expect(printed.stdout.contains("status_page: " + page), "\(page)")
            }
            // Mistral's page cannot be read without a browser (README, "Status pages").
            #expect(!printed.stdout.contains("name: mistral"))
        }
    }

    @Test func badReloadKeepsTheRunningConfigAndGoodReloadsApply() async throws {
        try await offPool {
            let path = try TestBinary.writeTemp("reload.yml", Self.goodConfig)
            let run = try TestBinary.start(["--config.file=\(path)"], environment: Self.keys)
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let client = try RawClient(port: run.port)
            let before = try client.get("/config")
            #expect(before.status == 200 && before.text.contains("name: gw"))
            for secret in Self.keys.values { #expect(!before.text.contains(secret)) }

            try Data("providers: [oops\n".utf8).write(to: URL(fileURLWithPath: path))
            let failed = try client.get("/-/reload", method: "POST")
            #expect(failed.status == 500)
            #expect(failed.text.contains("\(path):1:12: syntax: unterminated flow collection"))
            #expect(try client.get("/config").text == before.text)
            let metrics = try client.get("/metrics").text
            #expect(metrics.contains("provider_exporter_config_last_reload_successful 0\n"))
            #expect(try client.get("/-/reload").status == 405)

            try Data(Self.goodConfig.replacingOccurrences(of: "name: gw", with: "name: gateway").utf8).write(to: URL(fileURLWithPath: path))
            kill(run.process.processIdentifier, SIGHUP)
            var reloaded = false
            for _ in 0..<1500 where !reloaded {
                reloaded = try client.get("/config").text.contains("name: gateway")
                if !reloaded { usleep(20_000) }
            }
            #expect(reloaded)
            // The scrape cache may serve a body up to a second old.
            usleep(1_100_000)
            #expect(try client.get("/metrics").text.contains("provider_exporter_config_last_reload_successful 1\n"))
        }
    }


    /// The no-argument exporter, only where loopback is the only network: its
    /// built-in default fetches public status pages, which must then fail to
    /// resolve and show as provider_status_page_up 0 with a log line, no crash.
    @Test(.enabled(if: loopbackOnly, "needs a loopback-only network namespace"))
    func noArgumentsMonitorsEveryPresetsStatusPage() async throws {
        try await offPool {
            let process = Process()
            process.executableURL = TestBinary.binary
            process.environment = ["PATH": "/usr/bin:/bin"]
            process.arguments = []
            let stderr = Pipe()
            process.standardError = stderr
            try process.run()
            defer { kill(process.processIdentifier, SIGTERM) }
            let pages = ["openai", "anthropic", "gemini", "groq", "openrouter", "together", "deepseek", "xai", "cohere", "nvidia", "huggingface"]
            var values: [String: Double] = [:]
            for _ in 0..<100 {
                // The default listen address; nothing else can use it in this namespace.
                if let client = try? RawClient(port: 9641), let text = try? client.get("/metrics").text {
                    values = samples(text)
                    if pages.allSatisfy({ values["provider_status_page_up{provider=\"\($0)\"}"] == 0 }) { break }
                }
                usleep(200_000)
            }
            for page in pages {
                #expect(values["provider_status_page_up{provider=\"\(page)\"}"] == 0, "\(page)")
                #expect(values["provider_state{provider=\"\(page)\",state=\"unknown\"}"] == 1)
            }
            kill(process.processIdentifier, SIGTERM)
            _ = waitUntil { !process.isRunning }
            #expect(!process.isRunning && process.terminationStatus == 0)
            let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("msg=\"monitoring provider\" provider=openai checks=none status_page=https://status.openai.com enable_api_checks_with=OPENAI_API_KEY"))
            #expect(log.contains("msg=\"status page fetch failed; keeping its last state\" provider=anthropic page=https://status.claude.com"))
        }
    }
}
