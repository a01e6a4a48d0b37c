import Testing
@testable import ProviderExporter

/// One owner for holds: a retry hint holds every probe of its check until
/// `finish + min(hint, backoff_max)` (5 m when backoff is off), whoever ran
/// the hinted probe, the scheduler or `/probe`; backoff holds `/probe` until
/// the scheduler's backed-off slot. The scheduler runs here in virtual time
/// (`runDue`), so each case is a fixed sequence of events.
@Suite(.serialized) struct HoldTests {
    final class Setup: Sendable {
        let fake: FakeProvider
        let clock = ManualClock(1_000_000)
        let store = StateStore()
        let scheduler: Scheduler
        let job: ProbeRunner.Job

        init(interval: String, backoffMax: String, threshold: Int = 3) throws {
            fake = try FakeProvider()
            let config = try stateConfig("""
            global: {interval: \(interval), timeout: 5s, failure_threshold: \(threshold), backoff_max: \(backoffMax)}
            providers:
              - {name: gw, preset: openai_compatible, base_url: '\(fake.baseURL)/v1'}
            """)
            _ = store.apply(config, now: clock.now())
            scheduler = Scheduler(client: testClient, store: store, clock: clock, logger: quietLogger)
            scheduler.apply(config, driven: false)
            job = .check(config.providers[0], config.providers[0].checks[0])
        }

        var calls: Int { fake.requests.filter { $0.path == "/v1/models" }.count }

        /// `/probe` as the endpoint calls it (no minimum interval here).
        func probeEndpoint() async -> Bool {
            await scheduler.runner.runIfDue(job, minInterval: 0, wait: 5) != nil
        }

        /// Moves to the next slot and runs it; returns that slot's time.
        @discardableResult
        func runNextSlot() async -> Double {
            let next = await scheduler.runDue()
            clock.advance(to: next)
            _ = await scheduler.runDue()
            return next
        }

        func stop() {
            scheduler.stop()
            fake.stop()
        }
    }

    static let limited = FakeProvider.Script.json(429, #"{"error":{"code":"rate_limit_exceeded"}}"#, headers: [("Retry-After", "30")])

    /// A scheduled probe answered 429 `Retry-After: 30` on a 60 s interval
    /// holds `/probe` 30 s (the scheduler used to lift the hold it had just set).
    @Test func aScheduledHintHoldsProbe() async throws {
        let s = try Setup(interval: "60s", backoffMax: "5m")
        defer { s.stop() }
        s.fake.set("/v1/models", Self.limited)
        let slot = await s.runNextSlot()
        #expect(s.calls == 1)
        s.clock.advance(to: slot + 15)
        #expect(await s.probeEndpoint() == false)
        #expect(s.calls == 1)
        s.clock.advance(to: slot + 31)
        s.fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        #expect(await s.probeEndpoint())
        #expect(s.calls == 2)
    }

    /// A hint `/probe` received holds the scheduler: the slot that comes
    /// inside it moves to the hold's end, and counts as held back.
    @Test func aProbeHintHoldsTheScheduler() async throws {
        let s = try Setup(interval: "60s", backoffMax: "5m")
        defer { s.stop() }
        s.fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        await s.runNextSlot()
        #expect(s.calls == 1)
        let slot = try #require(s.store.provider(named: "gw")?.checks[0].nextProbeAt)
        // /probe 20 s before the next slot is told to come back in 30 s.
        s.clock.advance(to: slot - 20)
        s.fake.set("/v1/models", Self.limited)
        #expect(await s.probeEndpoint())
        #expect(s.calls == 2)
        s.clock.advance(to: slot)
        let next = await s.scheduler.runDue()
        #expect(s.calls == 2, "the scheduler called the provider inside /probe's hint")
        #expect(next == slot + 10)
        #expect(s.store.provider(named: "gw")?.checks[0].skipped[.backoff] == 1)
        // At the hold's end it probes.
        s.fake.set("/v1/models", .json(200, #"{"data":[]}"#))
        s.clock.advance(to: next)
        _ = await s.scheduler.runDue()
        #expect(s.calls == 3)
    }

    /// `/probe` then `/probe`: the first one's hint holds the second.
    @Test func aProbeHintHoldsProbe() async throws {
        let s = try Setup(interval: "1h", backoffMax: "5m")
        defer { s.stop() }
        s.fake.set("/v1/models", Self.limited)
        #expect(await s.probeEndpoint())
        s.clock.advance(to: s.clock.now() + 29)
        #expect(await s.probeEndpoint() == false)
        s.clock.advance(to: s.clock.now() + 2)
        #expect(await s.probeEndpoint())
        #expect(s.calls == 2)
    }

    /// The cap on `/probe`'s own hold: `Retry-After: 3600` holds 5 m, not an
    /// hour, whether that is backoff_max (5m) or the cap with backoff off (0s).
    @Test(arguments: ["5m", "0s"])
    func aProbeHintIsCappedAtFiveMinutes(backoffMax: String) async throws {
        let s = try Setup(interval: "1h", backoffMax: backoffMax)
        defer { s.stop() }
        s.fake.set("/v1/models", .json(503, #"{"error":{"message":"overloaded"}}"#, headers: [("Retry-After", "3600")]))
        let start = s.clock.now()
        #expect(await s.probeEndpoint())
        s.clock.advance(to: start + 299)
        #expect(await s.probeEndpoint() == false)
        s.clock.advance(to: start + 301)
        #expect(await s.probeEndpoint())
        #expect(s.calls == 2)
    }

    /// Backoff holds `/probe`: while the provider is down, `/probe` does not run
    /// the check before the scheduler's backed-off slot.
    @Test func backoffHoldsProbe() async throws {
        let s = try Setup(interval: "60s", backoffMax: "10m", threshold: 1)
        defer { s.stop() }
        s.fake.set("/v1/models", .json(500, #"{"error":{"type":"server_error"}}"#))
        let slot = await s.runNextSlot()
        #expect(s.store.health(of: "gw") == .down)
        let next = await s.scheduler.runDue()
        #expect(next - slot > 90, "backed off past the regular minute")
        s.clock.advance(to: next - 10)
        #expect(await s.probeEndpoint() == false)
        #expect(s.calls == 1)
        s.clock.advance(to: next)
        _ = await s.scheduler.runDue()
        #expect(s.calls == 2)
    }
}
