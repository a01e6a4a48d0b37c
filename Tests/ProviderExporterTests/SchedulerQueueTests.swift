import Testing
@testable import ProviderExporter

/// The scheduler keeps one queue and one sleeping driver, not a sleeping task
/// per check (each held 5 to 11 KB: 100 MB at 10,000 checks).
@Suite struct SchedulerQueueTests {
    @Test func slotsComeOutInDueOrder() {
        var queue = MinHeap<Scheduler.Slot>()
        let provider = try! stateConfig("providers:\n  - {name: p, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1'}\n").providers[0]
        var rng = SeededRandom(0x5EED_51A7)
        var dues = (0 ..< 500).map { _ in Double(Int.random(in: 0 ..< 100, using: &rng)) }
        for due in dues {
            queue.push(Scheduler.Slot(job: .check(provider, provider.checks[0]),
                                      schedule: Schedule(provider: "p", check: "c", interval: 15, backoffMax: 0), due: due))
        }
        var popped: [Double] = []
        while let slot = queue.pop() { popped.append(slot.due) }
        dues.sort()
        #expect(popped == dues)
    }

    @Test func oneSleeperWhateverTheNumberOfChecks() async throws {
        // Port 9 refuses at once: every probe ends quickly, with a connect error.
        var yaml = "global: {interval: 20s, timeout: 5s}\nproviders:\n"
        for i in 0 ..< 12 { yaml += "  - {name: p\(i), preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1'}\n" }
        let run = ScheduledRun(try stateConfig(yaml))
        defer { run.scheduler.stop() }
        #expect(await eventually { run.clock.earliestSleeper != nil })
        #expect(run.clock.sleeperCount == 1)
        // Every first run falls within 15 s; after them, one sleeper again,
        // toward the earliest next slot.
        run.clock.advance(to: 1_000_000 + 15)
        #expect(await eventually {
            run.store.snapshot.providers.allSatisfy { $0.checks[0].lastProbeAt != nil } && run.clock.earliestSleeper != nil
        })
        #expect(await eventually { run.clock.sleeperCount == 1 })
        let next = run.store.snapshot.providers.compactMap { $0.checks[0].nextProbeAt }
        #expect(next.count == 12 && run.clock.earliestSleeper == next.min())
    }

    /// Virtual time (the incident replay): applied without a driver, nothing
    /// runs until the caller moves the clock and calls runDue, which probes
    /// every due slot once, files the next ones and returns the earliest.
    @Test func runDueProbesWhatIsDueAndNothingElse() async throws {
        // Port 9 refuses at once: each probe ends quickly with a connect error.
        let yaml = "global: {interval: 60s, timeout: 5s, failure_threshold: 3}\nproviders:\n"
            + "  - {name: a, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1'}\n"
        let config = try stateConfig(yaml)
        let clock = ManualClock(1_000_000)
        let store = StateStore()
        _ = store.apply(config, now: clock.now())
        let scheduler = Scheduler(client: testClient, store: store, clock: clock, logger: quietLogger)
        scheduler.apply(config, driven: false)
        defer { scheduler.stop() }
        let probes = { store.snapshot.providers.map { Int($0.checks[0].counts.nonZero.reduce(0) { $0 + $1.1 }) } }
        // Nothing is due at the start: first runs fall within 15 s.
        let first = await scheduler.runDue()
        #expect(first > 1_000_000 && first < 1_000_015)
        #expect(probes() == [0])
        // At 15 s the first run is due: one probe, the next slot a minute on.
        clock.advance(to: 1_000_015)
        let next = await scheduler.runDue()
        #expect(probes() == [1])
        #expect(next >= 1_000_060 && next < 1_000_075)
        // Running again at the same time probes nothing more.
        _ = await scheduler.runDue()
        #expect(probes() == [1])
        // Each failure files its next slot a minute on, until the third in a
        // row makes the provider down: then backoff doubles the gap.
        var dues = [next]
        for _ in 1 ... 2 {
            clock.advance(to: dues.last!)
            dues.append(await scheduler.runDue())
        }
        #expect(probes() == [3])
        #expect(dues[1] - dues[0] == 60)
        #expect(dues[2] - dues[1] == 120)
    }
}
