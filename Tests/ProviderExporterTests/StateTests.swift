import Foundation
import Synchronization
import Testing
@testable import ProviderExporter

func stateConfig(_ yaml: String) throws -> ExporterConfig {
    try ConfigLoader.parse(yaml, fileName: "t.yml", environment: fakeEnvironment)
}

@Suite struct StateTests {
    static let yaml = """
    global: {failure_threshold: 3, degraded_latency: 500ms}
    providers:
      - name: gw
        preset: openai_compatible
        base_url: http://127.0.0.1:9/v1
        checks: [{name: models, type: models}, {name: health, type: http, url: 'http://127.0.0.1:9/h'}]
      - name: other
        preset: openai_compatible
        base_url: http://127.0.0.1:9/v1
    """

    static func outcome(_ result: ProbeResult, duration: Double = 0.1) -> ProbeOutcome {
        ProbeOutcome(result: result, status: result == .success ? 200 : 500, duration: duration)
    }

    @Test func healthyDegradedDownAndBack() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        #expect(store.provider(named: "gw")?.health == .unknown)
        var transitions: [StateTransition?] = []
        transitions.append(store.record(provider: "gw", check: "models", outcome: Self.outcome(.success), finishedAt: 1))
        for t in 2...4 { transitions.append(store.record(provider: "gw", check: "models", outcome: Self.outcome(.server_error), finishedAt: Double(t))) }
        transitions.append(store.record(provider: "gw", check: "models", outcome: Self.outcome(.success), finishedAt: 5))
        #expect(transitions == [
            StateTransition(provider: "gw", from: .unknown, to: .healthy),
            StateTransition(provider: "gw", from: .healthy, to: .degraded), nil,
            StateTransition(provider: "gw", from: .degraded, to: .down),
            StateTransition(provider: "gw", from: .down, to: .healthy),
        ])
        let check = try #require(store.provider(named: "gw")?.checks.first)
        #expect(check.consecutiveFailures == 0 && check.counts[.server_error] == 3 && check.counts[.success] == 2)
        #expect(check.lastSuccessAt == 5)
    }

    @Test func slowProbesAndLowRateLimitsDegrade() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        store.record(provider: "gw", check: "models", outcome: Self.outcome(.success, duration: 0.6), finishedAt: 1)
        #expect(store.provider(named: "gw")?.health == .degraded)
        var limited = Self.outcome(.success)
        limited.rateLimits.windows[.requests] = RateLimitWindow(limit: 100, remaining: 9)
        store.record(provider: "gw", check: "models", outcome: limited, finishedAt: 2)
        #expect(store.provider(named: "gw")?.health == .degraded)
        var fine = Self.outcome(.success)
        fine.rateLimits.windows[.requests] = RateLimitWindow(limit: 100, remaining: 10)
        store.record(provider: "gw", check: "models", outcome: fine, finishedAt: 3)
        #expect(store.provider(named: "gw")?.health == .healthy)
    }

    @Test func healthScoreFollowsTheFormula() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        #expect(store.provider(named: "gw")?.healthScore == nil)
        // 3 successes at 0.2 s, 1 failure at 0.4 s: median 0.2, ratio 0.75.
        for d in [0.2, 0.2, 0.2] { store.record(provider: "gw", check: "models", outcome: Self.outcome(.success, duration: d), finishedAt: 1) }
        store.record(provider: "gw", check: "health", outcome: Self.outcome(.timeout, duration: 0.4), finishedAt: 2)
        let score = try #require(store.provider(named: "gw")?.healthScore)
        #expect(abs(score - (0.6 * 0.8 + 0.4 * 0.75)) < 1e-9)
    }

    @Test func reloadKeepsCountersOfKeptChecksAndDropsRemovedOnes() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        store.record(provider: "gw", check: "models", outcome: Self.outcome(.success), finishedAt: 1)
        store.record(provider: "other", check: "models", outcome: Self.outcome(.success), finishedAt: 1)
        store.apply(try stateConfig(Self.yaml.replacingOccurrences(of: "  - name: other\n", with: "  - name: renamed\n")
            .replacingOccurrences(of: ", {name: health, type: http, url: 'http://127.0.0.1:9/h'}", with: "")))
        let (providers, _) = store.snapshot
        #expect(providers.map(\.config.name) == ["gw", "renamed"])
        #expect(providers[0].checks.map(\.config.name) == ["models"])
        #expect(providers[0].checks[0].counts[.success] == 1)
        #expect(providers[1].checks[0].counts[.success] == 0)
        let text = exposition(store)
        #expect(!text.contains("provider=\"other\"") && !text.contains("check=\"health\""))
    }

    @Test func countersStartAtZeroForEveryResultAndLastResultIsOneSeries() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        var text = exposition(store)
        for result in ProbeResult.allCases {
            #expect(text.contains("provider_probes_total{check=\"models\",provider=\"gw\",result=\"\(result.rawValue)\"} 0\n"))
        }
        #expect(!text.contains("provider_up{"))
        #expect(text.contains("provider_state{provider=\"gw\",state=\"unknown\"} 1\n"))
        store.record(provider: "gw", check: "models", outcome: Self.outcome(.rate_limited), finishedAt: 1)
        text = exposition(store)
        #expect(text.contains("provider_last_result{check=\"models\",provider=\"gw\",result=\"rate_limited\"} 1\n"))
        #expect(text.components(separatedBy: "provider_last_result{check=\"models\"").count == 2)
        #expect(text.contains("provider_up{check=\"models\",provider=\"gw\"} 0\n"))
    }
}

/// The scheduler's runner against a fake provider, with time moved by hand.
@Suite(.serialized) struct SchedulerTests {
    @Test func failingProviderGoesDownBacksOffAndRecovers() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        let config = try stateConfig("""
        global: {interval: 10s, timeout: 5s, failure_threshold: 3, backoff_max: 40s}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
        """)
        let run = ScheduledRun(config)
        let (store, clock, scheduler) = (run.store, run.clock, run.scheduler)
        defer { scheduler.stop() }

        var dues: [Double] = []
        var states: [ProviderHealth] = []
        for probe in 1...7 {
            // One success, then four 500s, then a success again.
            if probe == 2 { fake.set("/v1/models", .json(500, #"{"error":{"type":"api_error"}}"#)) }
            if probe == 7 { fake.set("/v1/models", .json(200, #"{"data":[]}"#)) }
            #expect(await eventually { clock.earliestSleeper != nil })
            let due = try #require(clock.earliestSleeper)
            dues.append(due)
            #expect(store.provider(named: "gw")?.checks[0].nextProbeAt == due)
            clock.advance(to: due)
            #expect(await eventually { store.provider(named: "gw")?.checks[0].counts.nonZero.reduce(0) { $0 + $1.1 } == UInt64(probe) })
            states.append(store.provider(named: "gw")!.health)
        }
        let gaps = zip(dues, dues.dropFirst()).map { $1 - $0 }
        // At the interval until down (the third failure); then 20 s, 40 s (the cap), 40 s.
        #expect(gaps == [10, 10, 10, 20, 40, 40])
        #expect(states == [.healthy, .degraded, .degraded, .down, .down, .down, .healthy])
        let record = try #require(store.provider(named: "gw")?.checks[0])
        #expect(record.skipped[.backoff] == 1 + 3 + 3)
        #expect(record.consecutiveFailures == 0 && record.counts[.server_error] == 5 && record.counts[.success] == 2, "\(record.counts.nonZero)")
        let log = run.log.all
        #expect(log.filter { $0.contains("msg=\"provider state changed\"") }.count == 4)
        #expect(log.contains { $0.contains("from=unknown to=healthy") })
        #expect(log.contains { $0.contains("level=info") && $0.contains("from=healthy to=degraded") })
        #expect(log.contains { $0.contains("level=warn") && $0.contains("from=degraded to=down") && $0.contains("result=server_error") })
        #expect(log.contains { $0.contains("from=down to=healthy") })
    }

    /// The debug line per probe says how late it started after its slot: the
    /// figure Tests/bench/probe_scale.sh reads, and the one that shows an
    /// overloaded exporter.
    @Test func probeLineCarriesDurationAndLag() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        let config = try stateConfig("""
        global: {interval: 10s, timeout: 5s}
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
        """)
        let run = ScheduledRun(config, logLevel: .debug)
        defer { run.scheduler.stop() }
        #expect(await eventually { run.clock.earliestSleeper != nil })
        let due = try #require(run.clock.earliestSleeper)
        run.clock.advance(to: due + 2.5)   // the slot passed 2.5 s ago
        #expect(await eventually { run.log.all.contains { $0.contains("msg=probe") } })
        let line = try #require(run.log.all.first { $0.contains("msg=probe") })
        #expect(line.contains("provider=gw check=models result=success status=200"), "\(line)")
        #expect(line.contains("lag_seconds=2.5 "), "\(line)")
        #expect(line.contains("duration_seconds="), "\(line)")
    }
}

/// Counters are arrays by ordinal: each case's ordinal is its place among all
/// cases, so no two share a counter and none falls outside the array.
@Suite struct CaseCountsTests {
    @Test func ordinalsNumberTheCasesInOrder() {
        #expect(ProbeResult.allCases.map(\.ordinal) == Array(ProbeResult.allCases.indices))
        #expect(SkipReason.allCases.map(\.ordinal) == Array(SkipReason.allCases.indices))
        var counts = CaseCounts<ProbeResult>()
        for (i, result) in ProbeResult.allCases.enumerated() { counts[result] += UInt64(i + 1) }
        #expect(ProbeResult.allCases.enumerated().allSatisfy { i, r in counts[r] == UInt64(i + 1) })
    }
}
