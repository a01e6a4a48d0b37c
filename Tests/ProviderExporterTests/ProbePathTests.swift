import Foundation
import Synchronization
import Testing
@testable import ProviderExporter

/// `/probe` and the scheduler share one probe path (README, "Endpoints"): the
/// minimum interval, holds, the concurrency limit, logged transitions, and the
/// forms Prometheus sends.
@Suite(.serialized) struct ProbePathTests {
    /// A provider name whose check's first scheduled probe comes at least 12 s
    /// after start, so that the calls a test counts are its own `/probe` calls.
    static func lateName(check: String, interval: Double = 3600) -> String {
        for i in 0..<10_000 {
            let name = "late\(i)"
            if Schedule(provider: name, check: check, interval: interval, backoffMax: 0).firstRun(after: 0) >= 12 { return name }
        }
        preconditionFailure("no late name")
    }


    /// Three `/probe` requests within a second make one provider call, in
    /// both the provider= and the target=/module= form; once the minimum
    /// interval has passed, the next makes one more.
    @Test func probeRunsOnlyAfterTheMinimumInterval() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", .json(200, #"{"data":[]}"#))
            let name = Self.lateName(check: "models")
            let path = try TestBinary.writeTemp("min-interval.yml", """
            global: {interval: 1h, timeout: 5s}
            providers:
              - {name: \(name), preset: openai_compatible, base_url: '\(fake.baseURL)/v1'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)", "--probe.min-interval=1s"])
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let client = try RawClient(port: run.port)
            let calls = { fake.requests.filter { $0.path == "/v1/models" }.count }
            let forms = ["/probe?provider=\(name)", "/probe?target=\(name)&module=models", "/probe?provider=\(name)&check=models"]
            for form in forms {
                let answer = try client.get(form)
                #expect(answer.status == 200, "\(form)")
                #expect(answer.text.contains("provider_up{check=\"models\",provider=\"\(name)\"} 1"), "\(form)")
            }
            #expect(calls() == 1)
            usleep(1_200_000)
            #expect(try client.get("/probe?target=\(name)").status == 200)
            #expect(calls() == 2)
            #expect(try client.get("/probe?target=\(name)&module=nope").status == 404)
            #expect(try client.get("/probe?target=nope").status == 404)
        }
    }

    /// A retry hint holds `/probe` back past the minimum interval: a
    /// `Retry-After: 3600` answer is not asked again at once.
    @Test func retryHintHoldsProbeRequests() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", .json(503, #"{"error":{"message":"overloaded"}}"#, headers: [("Retry-After", "3600")]))
            let name = Self.lateName(check: "models")
            let path = try TestBinary.writeTemp("hold.yml", """
            global: {interval: 1h, timeout: 5s}
            providers:
              - {name: \(name), preset: openai_compatible, base_url: '\(fake.baseURL)/v1'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)", "--probe.min-interval=0s"])
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let client = try RawClient(port: run.port)
            let first = try client.get("/probe?provider=\(name)").text
            #expect(first.contains("provider_last_result{check=\"models\",provider=\"\(name)\",result=\"overloaded\"} 1"))
            #expect(first.contains("provider_retry_after_seconds{check=\"models\",provider=\"\(name)\"} 3600"))
            fake.set("/v1/models", .json(200, #"{"data":[]}"#))
            #expect(try client.get("/probe?provider=\(name)").status == 200)
            #expect(fake.requests.filter { $0.path == "/v1/models" }.count == 1)
        }
    }

    /// `check=status_page` fetches the page; a `/probe` run that changes a
    /// state logs it; `max_concurrent_probes` bounds `/probe` too.
    @Test func statusPageTransitionsAndTheConcurrencyLimit() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/page/api/v2/summary.json", .json(200, #"{"status":{"indicator":"major"},"components":[{"id":"a","name":"API","status":"partial_outage"}],"incidents":[]}"#))
            fake.set("/v1/models", FakeProvider.Script(status: 500, body: Array(#"{"error":{"type":"api_error"}}"#.utf8), delay: 0.4))
            fake.set("/health", FakeProvider.Script(body: Array("ok".utf8), delay: 0.4))
            let name = Self.lateName(check: "status_page")
            let models = Self.lateName(check: "models")
            let path = try TestBinary.writeTemp("page-probe.yml", """
            global: {interval: 1h, timeout: 5s, failure_threshold: 1, max_concurrent_probes: 1}
            providers:
              - {name: \(name), status_page: {url: '\(fake.baseURL)/page', format: statuspage}}
              - name: \(models)
                preset: openai_compatible
                base_url: '\(fake.baseURL)/v1'
                checks:
                  - {name: models, type: models}
                  - {name: health, type: http, url: '\(fake.baseURL)/health'}

            """)
            let run = try TestBinary.start(["--config.file=\(path)"])
            let client = try RawClient(port: run.port)
            let page = try client.get("/probe?provider=\(name)&check=status_page")
            #expect(page.status == 200)
            #expect(page.text.contains("provider_status_indicator{indicator=\"major\",provider=\"\(name)\"} 1"), "\(page.text)")
            #expect(page.text.contains("provider_state{provider=\"\(name)\",state=\"degraded\"} 1"))

            // Both checks at once through /probe, one permit: the second waits for the first.
            let answer = try RawClient(port: run.port, timeout: 10).get("/probe?provider=\(models)")
            #expect(answer.text.contains("provider_state{provider=\"\(models)\",state=\"down\"} 1"))
            let arrivals = fake.requests.filter { $0.path == "/v1/models" || $0.path == "/health" }.map(\.receivedAt).sorted()
            #expect(arrivals.count == 2)
            if arrivals.count == 2 { #expect(arrivals[1] - arrivals[0] >= 0.35, "\(arrivals)") }

            run.process.terminate()
            run.process.waitUntilExit()
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("msg=\"provider state changed\" provider=\(name) from=unknown to=degraded check=status_page"), "\(log)")
            // The two checks take the one permit in either order: down comes from
            // unknown (models first) or from healthy (health first).
            #expect(log.contains("msg=\"provider state changed\" provider=\(models) from=unknown to=down check=models result=server_error")
                || log.contains("msg=\"provider state changed\" provider=\(models) from=healthy to=down check=models result=server_error"), "\(log)")
        }
    }

    /// A reload that changes a state logs it: removing the failing check of a
    /// down provider leaves it healthy.
    @Test func reloadTransitionsAreLogged() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", .json(500, #"{"error":{"type":"api_error"}}"#))
            fake.set("/health", .json(200, "{}"))
            let name = Self.lateName(check: "models")
            let down = """
            global: {interval: 1h, timeout: 5s, failure_threshold: 1}
            providers:
              - name: \(name)
                preset: openai_compatible
                base_url: '\(fake.baseURL)/v1'
                checks:
                  - {name: models, type: models}
                  - {name: health, type: http, url: '\(fake.baseURL)/health'}

            """
            let path = try TestBinary.writeTemp("reload-state.yml", down)
            let run = try TestBinary.start(["--config.file=\(path)"])
            let client = try RawClient(port: run.port)
            #expect(try client.get("/probe?provider=\(name)").text.contains("state=\"down\"} 1"))
            try Data(down.replacingOccurrences(of: "      - {name: models, type: models}\n", with: "").utf8).write(to: URL(fileURLWithPath: path))
            #expect(try client.get("/-/reload", method: "POST").status == 200)
            #expect(try waitUntil { try client.get("/metrics").text.contains("provider_state{provider=\"\(name)\",state=\"healthy\"} 1") })
            run.process.terminate()
            run.process.waitUntilExit()
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("msg=\"provider state changed\" provider=\(name) from=down to=healthy cause=reload"), "\(log)")
        }
    }
}

/// State that forgets (README, "Metrics" and "Checks, results and state").
@Suite struct ForgettingStateTests {
    static let config = """
    providers:
      - name: gw
        preset: openai_compatible
        base_url: http://127.0.0.1:9/v1
    """

    static func outcome(_ windows: [RateLimitResource: RateLimitWindow], retryAfter: Double? = nil) -> ProbeOutcome {
        var o = ProbeOutcome(result: .success, status: 200, duration: 0.1)
        o.rateLimits = RateLimits(windows: windows, retryAfter: retryAfter)
        return o
    }

    @Test func rateLimitSeriesShowTheLastResponseOnly() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.config), now: 1000)
        store.record(provider: "gw", check: "models",
                     outcome: Self.outcome([.requests: RateLimitWindow(limit: 100, remaining: 0, reset: 1060)], retryAfter: 30), finishedAt: 1000)
        #expect(store.health(of: "gw") == .degraded)
        var text = exposition(store)
        #expect(text.contains("provider_ratelimit_remaining{check=\"models\",provider=\"gw\",resource=\"requests\"} 0\n"))
        #expect(text.contains("provider_retry_after_seconds{check=\"models\",provider=\"gw\"} 30\n"))
        // The next answer carries no rate-limit headers: the series go, and so does the degradation.
        store.record(provider: "gw", check: "models", outcome: Self.outcome([:]), finishedAt: 1010)
        #expect(store.health(of: "gw") == .healthy)
        text = exposition(store)
        #expect(!text.contains("provider_ratelimit_remaining{") && !text.contains("provider_ratelimit_limit{"))
        #expect(!text.contains("provider_retry_after_seconds{"))
    }

    @Test func lowRemainingDegradesOnlyUntilItsReset() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.config), now: 1000)
        // Reset already past when the answer is recorded: not degraded.
        store.record(provider: "gw", check: "models",
                     outcome: Self.outcome([.tokens: RateLimitWindow(limit: 100, remaining: 1, reset: 990)]), finishedAt: 1000)
        #expect(store.health(of: "gw") == .healthy)
        // Reset in the future, or unknown: degraded.
        store.record(provider: "gw", check: "models",
                     outcome: Self.outcome([.tokens: RateLimitWindow(limit: 100, remaining: 1, reset: 1100)]), finishedAt: 1010)
        #expect(store.health(of: "gw") == .degraded)
        store.record(provider: "gw", check: "models",
                     outcome: Self.outcome([.tokens: RateLimitWindow(limit: 100, remaining: 1, reset: nil)]), finishedAt: 1020)
        #expect(store.health(of: "gw") == .degraded)
    }
}

/// The scheduler honours retry hints within their bound.
@Suite(.serialized) struct RetryHintSchedulingTests {
    /// `Retry-After: 3600` on a 503: the next probe is due 5 minutes after the
    /// probe finished (backoff off), not an hour; the recovered provider is up
    /// at that probe.
    @Test func anHourLongHintHoldsTheCheckFiveMinutesAtMost() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(503, #"{"error":{"message":"overloaded"}}"#, headers: [("Retry-After", "3600")]))
        let config = try stateConfig("""
        global: {interval: 10s, timeout: 5s, failure_threshold: 1, backoff_max: 0s}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
        """)
        let run = ScheduledRun(config)
        defer { run.scheduler.stop() }
        #expect(await eventually { run.clock.earliestSleeper != nil })
        let first = try #require(run.clock.earliestSleeper)
        run.clock.advance(to: first)
        #expect(await eventually { run.store.provider(named: "gw")?.checks[0].lastProbeAt != nil })
        let finished = try #require(run.store.provider(named: "gw")?.checks[0].lastProbeAt)
        #expect(await eventually { run.store.provider(named: "gw")?.checks[0].nextProbeAt == finished + 300 })
        #expect(run.store.health(of: "gw") == .down)
        fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        run.clock.advance(to: finished + 300)
        #expect(await eventually { run.store.health(of: "gw") == .healthy })
    }
}

/// `provider_failure_threshold`: each check's effective threshold, from the
/// first scrape on, so alert rules can tell a check that reached it.
@Suite struct FailureThresholdMetricTests {
    @Test func everyCheckExportsItsEffectiveThreshold() throws {
        let store = StateStore()
        store.apply(try stateConfig("""
        global: {failure_threshold: 3}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: http://127.0.0.1:9/v1
            checks:
              - {name: models, type: models}
              - {name: health, type: http, url: 'http://127.0.0.1:9/h', failure_threshold: 5}
          - {name: page, status_page: {url: 'http://127.0.0.1:9', format: statuspage}}
        """))
        let text = exposition(store)
        #expect(text.contains("# TYPE provider_failure_threshold gauge\n"))
        #expect(text.contains("provider_failure_threshold{check=\"models\",provider=\"gw\"} 3\n"))
        #expect(text.contains("provider_failure_threshold{check=\"health\",provider=\"gw\"} 5\n"))
        #expect(!text.contains("provider_failure_threshold{check=\"status_page\""))
    }
}

/// The per-check families byte for byte, for a store that saw one probe of
/// each kind of check: every family, label and value format in one file.
@Suite struct PerCheckGoldenTests {
    @Test func perCheckFamiliesMatchTheGoldenFile() throws {
        let store = StateStore()
        store.apply(try ConfigLoader.parse("""
        global: {buckets: [0.1, 1, 10]}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: http://127.0.0.1:9/v1
            priority: 2
            checks:
              - {name: models, type: models, failure_threshold: 2}
              - {name: chat, type: chat, model: m, stream: true}
          - name: ds
            preset: deepseek
            base_url: http://127.0.0.1:9
            api_key_env: KEY
            status_page: false
            checks: [{name: credit, type: balance}]
        """, fileName: "g.yml", environment: ConfigEnvironment(variable: { _ in "test-key-golden" }, readFile: { _ in nil })),
                    now: 1_700_000_000)
        var models = ProbeOutcome(result: .rate_limited, status: 429, duration: 0.25, error: "HTTP 429: rate_limit_exceeded")
        models.rateLimits = RateLimits(windows: [.requests: RateLimitWindow(limit: 100, remaining: 3, reset: 1_700_000_030),
                                                 .tokens: RateLimitWindow(limit: 30_000, remaining: 29_000, reset: nil)],
                                       retryAfter: 12.5)
        models.phases = PhaseTimings(resolve: 0.001, connect: 0.002, tls: 0.03, processing: 0.2, transfer: 0.017)
        models.certificateExpiry = 1_800_000_000
        store.record(provider: "gw", check: "models", outcome: models, finishedAt: 1_700_000_000)
        var chat = ProbeOutcome(result: .success, status: 200, duration: 1.5)
        chat.tokens = (input: 14, output: 1)
        chat.timeToFirstToken = 0.75
        store.record(provider: "gw", check: "chat", outcome: chat, finishedAt: 1_700_000_001)
        var credit = ProbeOutcome(result: .success, status: 200, duration: 0.05)
        credit.balances = ["USD": 4.2, "CNY": 30]
        store.record(provider: "ds", check: "credit", outcome: credit, finishedAt: 1_700_000_002)
        store.setNextProbe(provider: "gw", check: "models", at: 1_700_000_060)
        store.countSkip(provider: "gw", check: "models", reason: .overlap, count: 2)
        try expectGolden(Array(exposition(store).utf8), "per-check-families.txt")
    }
}

/// Slots that pass while a probe runs are counted as overlap skips, into
/// `provider_exporter_probes_skipped_total{reason="overlap"}`.
@Suite(.serialized) struct OverlapSkipTests {
    @Test func slotsPassedDuringAProbeAreCountedAsSkipped() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        // The answer waits for the test: the probe must still be in flight when the clock moves.
        let answer = DispatchSemaphore(value: 0)
        fake.set("/v1/models", FakeProvider.Script(body: Array(#"{"data":[]}"#.utf8), gate: answer))
        let config = try stateConfig("""
        global: {interval: 10s, timeout: 5s}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
        """)
        let run = ScheduledRun(config)
        defer { run.scheduler.stop() }
        #expect(await eventually { run.clock.earliestSleeper != nil })
        let due = try #require(run.clock.earliestSleeper)
        run.clock.advance(to: due)
        #expect(await eventually { fake.requests.count == 1 })
        // While the probe waits for its answer, two more slots pass.
        run.clock.advance(to: due + 25)
        answer.signal()
        #expect(await eventually { run.store.provider(named: "gw")?.checks[0].lastResult == .success })
        #expect(await eventually { run.store.provider(named: "gw")?.checks[0].skipped[.overlap] == 2 })
        #expect(exposition(run.store).contains("provider_exporter_probes_skipped_total{check=\"models\",provider=\"gw\",reason=\"overlap\"} 2\n"))
        #expect(run.store.provider(named: "gw")?.checks[0].nextProbeAt == due + 30)
    }
}

/// The probe's debug line names the rule and, for a failure only, the error:
/// a success logs no empty `err=""`.
@Suite struct ProbeLogLineTests {
    @Test func aSuccessLogsNoErrorField() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/ok/v1/models", .json(200, #"{"data":[{"id":"m"}]}"#))
        fake.set("/bad/v1/models", .json(500, #"{"error":{"type":"server_error"}}"#))
        let config = try stateConfig("""
        global: {interval: 1h, timeout: 5s}
        providers:
          - {name: ok, preset: openai_compatible, base_url: '\(fake.baseURL)/ok/v1'}
          - {name: bad, preset: openai_compatible, base_url: '\(fake.baseURL)/bad/v1'}
        """)
        let sink = LineSink()
        let store = StateStore()
        _ = store.apply(config)
        let runner = ProbeRunner(client: testClient, store: store, clock: SystemClock(), logger: sink.logger(level: .debug))
        runner.apply(config)
        for provider in config.providers { _ = await runner.run(.check(provider, provider.checks[0])) }
        let ok = try #require(sink.all.first { $0.contains("msg=probe") && $0.contains("provider=ok") })
        let bad = try #require(sink.all.first { $0.contains("msg=probe") && $0.contains("provider=bad") })
        #expect(!ok.contains("err="), "\(ok)")
        #expect(ok.contains("rule="))
        #expect(bad.contains("err=\"HTTP 500"), "\(bad)")
    }
}
