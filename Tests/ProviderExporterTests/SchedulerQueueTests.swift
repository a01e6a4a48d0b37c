import Testing
@testable import ProviderExporter

/// The scheduler keeps one queue and one sleeping driver, not a sleeping task
/// per check (each held 5 to 11 KB: 100 MB at 10,000 checks).
@Suite struct SchedulerQueueTests {
    @Test func slotsComeOutInDueOrder() {
        var queue = MinHeap<Scheduler.Slot>()
        let provider = try! stateConfig("providers:\n  - {name: p, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1'}\n").providers[0]
        var dues = (0 ..< 500).map { _ in Double(Int.random(in: 0 ..< 100)) }
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
}
