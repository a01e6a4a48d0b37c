import Synchronization

/// Runs every check on its schedule: one task per check that sleeps until its
/// slot, has the `ProbeRunner` probe it (the path `/probe` shares), and
/// computes the next slot. A reload or shutdown cancels the tasks (and the
/// probes in flight).
public final class Scheduler: Sendable {
    let store: StateStore
    let clock: any WallClock
    let logger: Logger
    /// The one probe path, shared with `/probe`.
    public let runner: ProbeRunner
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init(client: HTTPClient, store: StateStore, clock: any WallClock = SystemClock(), logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        runner = ProbeRunner(client: client, store: store, clock: clock, logger: logger)
    }

    /// Replaces every task with one per check of `config`. Counters live in the
    /// store, and offsets are stable, so a restart keeps each check's rhythm.
    public func apply(_ config: ExporterConfig) {
        let old = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t = [] }
            return t
        }
        for task in old { task.cancel() }
        runner.apply(config)
        var started: [Task<Void, Never>] = []
        for provider in config.providers {
            if let page = provider.statusPage {
                // No backoff: a page is cheap and its news matters most when things are bad.
                let schedule = Schedule(provider: provider.name, check: "status_page", interval: page.interval.seconds, backoffMax: 0)
                started.append(Task { [self] in await loop(.page(provider, page), schedule: schedule) })
            }
            for check in provider.checks {
                let schedule = Schedule(provider: provider.name, check: check.name, interval: check.interval.seconds,
                                        backoffMax: config.global.backoffMax.seconds)
                started.append(Task { [self] in await loop(.check(provider, check), schedule: schedule) })
            }
        }
        tasks.withLock { $0 = started }
    }

    public func stop() {
        let old = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t = [] }
            return t
        }
        for task in old { task.cancel() }
        runner.stop()
    }

    func loop(_ job: ProbeRunner.Job, schedule initial: Schedule) async {
        var schedule = initial
        var due = schedule.firstRun(after: clock.now())
        while !Task.isCancelled {
            setNext(job, due)
            do { try await clock.sleep(until: due) } catch { return }
            guard let (finished, joined) = await runner.run(job, due: due), !Task.isCancelled else { return }
            // A /probe run was in flight at the slot: this run joined it instead.
            if joined { store.countSkip(provider: job.provider, check: job.check, reason: .overlap) }
            let finishedAt = clock.now()
            let next: Schedule.Next
            switch finished {
            case .api(let outcome):
                let down = store.health(of: job.provider) == .down
                next = schedule.next(due: due, finished: finishedAt, succeeded: outcome.result.isSuccess,
                                     providerDown: down, retryAfter: outcome.rateLimits.retryAfter)
            case .page:
                next = schedule.next(due: due, finished: finishedAt, succeeded: true, providerDown: false, retryAfter: nil)
            }
            runner.hold(job, until: next.held ? next.at : nil)
            if next.overlapSkips > 0 {
                store.countSkip(provider: job.provider, check: job.check, reason: .overlap, count: UInt64(next.overlapSkips))
            }
            if next.backoffSkips > 0 {
                store.countSkip(provider: job.provider, check: job.check, reason: .backoff, count: UInt64(next.backoffSkips))
            }
            due = next.at
        }
    }

    func setNext(_ job: ProbeRunner.Job, _ due: Double) {
        switch job {
        case .check: store.setNextProbe(provider: job.provider, check: job.check, at: due)
        case .page: store.setNextStatusPageFetch(provider: job.provider, at: due)
        }
    }
}
