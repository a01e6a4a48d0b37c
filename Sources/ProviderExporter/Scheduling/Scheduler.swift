import Synchronization

/// Runs every check on its schedule with one driver task: it sleeps until the
/// earliest due slot, hands each due check to the `ProbeRunner` (the path
/// `/probe` shares) in a task of its own, and each probe, when it finishes,
/// files its check's next slot. A sleeping task per check cost 5 to 11 KB
/// each (100 MB at 10,000 checks); now only probes in flight hold one. The
/// driver, its sleeps and the probes run on the client's probe thread (see
/// `HTTPClient.executor`). A reload or shutdown cancels the driver and the
/// probes in flight.
public final class Scheduler: Sendable {
    let store: StateStore
    let clock: any TimeSource
    let logger: Logger
    /// The one probe path, shared with `/probe`.
    public let runner: ProbeRunner

    /// One check's place in the queue, ordered by when it is due.
    struct Slot: Comparable {
        var job: ProbeRunner.Job
        var schedule: Schedule
        var due: Double

        static func < (a: Slot, b: Slot) -> Bool { a.due < b.due }
        static func == (a: Slot, b: Slot) -> Bool { a.due == b.due }
    }

    struct State {
        /// Slots by due time.
        var queue = MinHeap<Slot>()
        /// Which config the queue belongs to: a probe of an older one files nothing.
        var generation: UInt64 = 0
        var driver: Task<Void, Never>?
        /// The driver's sleep and when it ends, so that an earlier slot wakes it.
        var sleeper: Task<Void, Never>?
        var sleepingUntil = Double.infinity
        /// Probes in flight, by a number of their own.
        var probes: [UInt64: Task<Void, Never>] = [:]
        var probeNumber: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(client: HTTPClient, store: StateStore, clock: any TimeSource = SystemClock(), logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        runner = ProbeRunner(client: client, store: store, clock: clock, logger: logger)
    }

    /// Replaces the queue with one slot per check and status page of `config`.
    /// Counters live in the store, and offsets are stable, so a restart keeps
    /// each check's rhythm. With `driven: false` no driver task starts: the
    /// caller advances the clock and calls `runDue()` (the incident replay's
    /// virtual time).
    public func apply(_ config: ExporterConfig, driven: Bool = true) {
        let now = clock.now()
        var jobs: [(ProbeRunner.Job, Schedule)] = []
        for provider in config.providers {
            if let page = provider.statusPage {
                // No backoff: a page is cheap and its news matters most when things are bad.
                jobs.append((.page(provider, page), Schedule(provider: provider.name, check: StatusPageConfig.checkName,
                                                             interval: page.interval.seconds, backoffMax: 0)))
            }
            for check in provider.checks {
                jobs.append((.check(provider, check), Schedule(provider: provider.name, check: check.name, interval: check.interval.seconds,
                                                               backoffMax: config.global.backoffMax.seconds)))
            }
        }
        var queue = MinHeap<Slot>()
        for (job, schedule) in jobs {
            let due = schedule.firstRun(after: now)
            setNext(job, due)
            queue.push(Slot(job: job, schedule: schedule, due: due))
        }
        let old = state.withLock { s -> [Task<Void, Never>] in
            let old = Self.takeTasks(&s)
            s.queue = queue
            s.driver = driven ? Task(executorPreference: runner.client.executor) { [self] in await drive() } : nil
            return old
        }
        for task in old { task.cancel() }
        runner.apply(config)
    }

    public func stop() {
        let old = state.withLock { s in Self.takeTasks(&s) }
        for task in old { task.cancel() }
        runner.stop()
    }

    /// Empties the queue and hands over the driver, its sleep and the probes
    /// in flight, to be cancelled; a probe of the old generation files nothing.
    private static func takeTasks(_ s: inout State) -> [Task<Void, Never>] {
        let tasks = [s.driver, s.sleeper].compactMap { $0 } + Array(s.probes.values)
        s.generation += 1
        s.queue = MinHeap()
        s.probes = [:]
        s.driver = nil
        s.sleeper = nil
        s.sleepingUntil = .infinity
        return tasks
    }

    /// Starts the probes that are due, then sleeps until the next slot (or
    /// until a finished probe files an earlier one).
    func drive() async {
        while !Task.isCancelled {
            let now = clock.now()
            let sleeper = state.withLock { s -> Task<Void, Never> in
                while let first = s.queue.peek, first.due <= now, let slot = s.queue.pop() {
                    startProbe(slot, &s)
                }
                let until = s.queue.peek?.due ?? .infinity
                let (clock, client) = (self.clock, runner.client)
                // Nothing queued (every check in flight, or none configured): wait
                // for a finished probe to file its slot, not on the clock.
                let sleeper = Task(executorPreference: client.executor) { () -> Void in
                    if until.isFinite { _ = try? await client.sleep(until: until, on: clock) } else { _ = try? await Task.sleep(for: .seconds(86_400)) }
                }
                s.sleeper = sleeper
                s.sleepingUntil = until
                return sleeper
            }
            await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
        }
    }

    /// Virtual time: probes every slot due at or before the clock's now, one
    /// at a time, each filing its next slot exactly as the driver's probes do;
    /// returns the earliest slot still queued (infinity when none). For a
    /// scheduler applied with `driven: false`, whose caller moves the clock.
    public func runDue() async -> Double {
        while true {
            let now = clock.now()
            let due = state.withLock { s -> Slot? in
                guard let first = s.queue.peek, first.due <= now else { return nil }
                return s.queue.pop()
            }
            guard let slot = due else { return state.withLock { $0.queue.peek?.due ?? .infinity } }
            if let next = await probe(slot) { state.withLock { $0.queue.push(next) } }
        }
    }

    /// A task that probes the slot's check and files its next slot.
    private func startProbe(_ slot: Slot, _ s: inout State) {
        let (generation, number) = (s.generation, s.probeNumber)
        s.probeNumber += 1
        s.probes[number] = Task(executorPreference: runner.client.executor) { [self] in
            let next = await probe(slot)
            state.withLock { s in
                s.probes[number] = nil
                guard s.generation == generation, let next, !Task.isCancelled else { return }
                s.queue.push(next)
                if next.due < s.sleepingUntil {
                    s.sleepingUntil = -.infinity
                    s.sleeper?.cancel()
                }
            }
        }
    }

    /// Probes the slot's check; returns its next slot (nil when cancelled).
    func probe(_ slot: Slot) async -> Slot? {
        let (job, due) = (slot.job, slot.due)
        var schedule = slot.schedule
        // A retry hint another caller received (`/probe`) holds this check too:
        // the slot moves to the hold's end, and the skip counts with backoff's.
        if let held = runner.heldUntil(job, now: clock.now()) {
            store.countSkip(provider: job.provider, check: job.check, reason: .backoff)
            setNext(job, held)
            return Slot(job: job, schedule: schedule, due: held)
        }
        guard let (finished, joined) = await runner.run(job, due: due), !Task.isCancelled else { return nil }
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
        runner.holdForBackoff(job, until: next.held ? next.at : nil)
        if next.overlapSkips > 0 {
            store.countSkip(provider: job.provider, check: job.check, reason: .overlap, count: UInt64(next.overlapSkips))
        }
        if next.backoffSkips > 0 {
            store.countSkip(provider: job.provider, check: job.check, reason: .backoff, count: UInt64(next.backoffSkips))
        }
        setNext(job, next.at)
        return Slot(job: job, schedule: schedule, due: next.at)
    }

    func setNext(_ job: ProbeRunner.Job, _ due: Double) {
        if job.statusPage != nil {
            store.setNextStatusPageFetch(provider: job.provider, at: due)
        } else {
            store.setNextProbe(provider: job.provider, check: job.check, at: due)
        }
    }
}
