import Synchronization

/// Wall-clock time and sleeping, injected so tests can drive the scheduler.
public protocol SchedulerClock: Sendable {
    /// Unix seconds.
    func now() -> Double
    /// Returns at Unix time `t`, or throws when the task is cancelled.
    func sleep(until t: Double) async throws
}

public struct SystemClock: SchedulerClock {
    public init() {}
    public func now() -> Double { Posix.wallSeconds() }
    public func sleep(until t: Double) async throws {
        let delay = t - now()
        if delay > 0 { try await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}

/// At most `limit` probes at once (`max_concurrent_probes`).
actor ProbeLimiter {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = limit }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { available += 1 } else { waiting.removeFirst().resume() }
    }
}

/// Runs every check on its schedule: one task per check that sleeps until its
/// slot, takes a permit, probes, records the outcome and computes the next
/// slot. A reload or shutdown cancels the tasks (and their transfers).
public final class Scheduler: Sendable {
    let client: HTTPClient
    let store: StateStore
    let clock: any SchedulerClock
    let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init(client: HTTPClient, store: StateStore, clock: any SchedulerClock = SystemClock(), logger: Logger) {
        self.client = client
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Replaces every task with one per check of `config`. Counters live in the
    /// store, and offsets are stable, so a restart keeps each check's rhythm.
    public func apply(_ config: ExporterConfig) {
        let limiter = ProbeLimiter(limit: config.global.maxConcurrentProbes)
        var started: [Task<Void, Never>] = []
        for provider in config.providers {
            if let page = provider.statusPage {
                let schedule = Schedule(provider: provider.name, check: "status_page", interval: page.interval.seconds, backoffMax: 0)
                started.append(Task { [self] in
                    await statusPageLoop(provider: provider, page: page, schedule: schedule, limiter: limiter)
                })
            }
            for check in provider.checks {
                let schedule = Schedule(provider: provider.name, check: check.name, interval: check.interval.seconds,
                                        backoffMax: config.global.backoffMax.seconds)
                started.append(Task { [self] in
                    await loop(provider: provider, check: check, schedule: schedule, limiter: limiter)
                })
            }
        }
        let old = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t = started }
            return t
        }
        for task in old { task.cancel() }
    }

    public func stop() {
        let old = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t = [] }
            return t
        }
        for task in old { task.cancel() }
    }

    func loop(provider: ProviderConfig, check: CheckConfig, schedule initial: Schedule, limiter: ProbeLimiter) async {
        var schedule = initial
        let probe = Checks.make(check, provider: provider)
        var due = schedule.firstRun(after: clock.now())
        while !Task.isCancelled {
            store.setNextProbe(provider: provider.name, check: check.name, at: due)
            guard let (outcome, started) = await whenDue(due, limiter, { () async -> (ProbeOutcome, Double)? in
                let started = self.clock.now()
                guard let outcome = await probe.run(using: self.client, timeout: check.timeout.seconds) else { return nil }
                return (outcome, started)
            }) else {
                return
            }
            let finished = clock.now()
            let transition = store.record(provider: provider.name, check: check.name, outcome: outcome, finishedAt: finished)
            log(provider: provider.name, check: check.name, outcome: outcome, lag: started - due, transition: transition)
            let down = store.health(of: provider.name) == .down
            let next = schedule.next(due: due, finished: finished, succeeded: outcome.result.isSuccess,
                                     providerDown: down, retryAfter: outcome.rateLimits.retryAfter)
            if next.overlapSkips > 0 {
                store.countSkip(provider: provider.name, check: check.name, reason: .overlap, count: UInt64(next.overlapSkips))
            }
            if next.backoffSkips > 0 {
                store.countSkip(provider: provider.name, check: check.name, reason: .backoff, count: UInt64(next.backoffSkips))
            }
            due = next.at
        }
    }

    /// A status page on its grid: fetch, record, log what changed. No backoff:
    /// a page is cheap and its news matters most when things are bad.
    func statusPageLoop(provider: ProviderConfig, page: StatusPageConfig, schedule initial: Schedule, limiter: ProbeLimiter) async {
        var schedule = initial
        let fetcher = StatusPageFetcher(page: page, provider: provider)
        var due = schedule.firstRun(after: clock.now())
        var warned: Set<String> = []
        while !Task.isCancelled {
            store.setNextStatusPageFetch(provider: provider.name, at: due)
            guard let outcome = await whenDue(due, limiter, {
                await fetcher.fetch(using: self.client, timeout: page.timeout.seconds, now: self.clock.now())
            }) else { return }
            let finished = clock.now()
            let recorded = store.recordStatusPage(provider: provider.name, outcome: outcome, finishedAt: finished)
            logPage(provider: provider.name, page: page, outcome: outcome, recorded: recorded, warned: &warned)
            due = schedule.next(due: due, finished: finished, succeeded: true, providerDown: false, retryAfter: nil).at
        }
    }

    func logPage(provider: String, page: StatusPageConfig, outcome: StatusPageOutcome, recorded: StateStore.PageRecorded,
                 warned: inout Set<String>) {
        switch outcome {
        case .error(let text):
            logger.warn("status page fetch failed; keeping its last state", ["provider": provider, "page": page.url, "err": text])
        case .ok, .notModified:
            logger.debug("status page fetched", ["provider": provider, "page": page.url])
        }
        for value in recorded.unknownValues where warned.insert(value).inserted {
            logger.warn("status page uses an undocumented value; mapped to the nearest documented one",
                        ["provider": provider, "page": page.url, "value": value])
        }
        if let cut = recorded.newlyCut, cut > 0 {
            logger.warn("status page has more components than max_components; the rest are not exported",
                        ["provider": provider, "page": page.url, "max_components": page.maxComponents, "cut": cut])
        }
        for change in recorded.changes {
            let i = change.incident
            logger.info(change.kind.rawValue, ["provider": provider, "incident_id": i.id, "name": i.name,
                                               "impact": i.impact.rawValue, "status": i.status,
                                               "update_id": i.latestUpdateID ?? ""])
        }
        if let t = recorded.transition {
            logger.log(t.to == .down ? .warn : .info, "provider state changed",
                       ["provider": provider, "from": t.from.rawValue, "to": t.to.rawValue, "check": "status_page"])
        }
    }

    /// Sleeps until `due`, takes a permit and runs `work`, counted in flight.
    /// nil when the task was cancelled at any point (a reload or shutdown):
    /// a task cancelled while waiting for a permit hands it on without probing.
    ///
    /// `work` runs as a child task. A task's allocator keeps the largest
    /// footprint its frames ever reached until the task ends, so probing in
    /// the long-lived loop task itself kept about 7 KB per check for good
    /// (75 MB at 10,000 checks); the child gives it back after each probe.
    func whenDue<T: Sendable>(_ due: Double, _ limiter: ProbeLimiter, _ work: @escaping @Sendable () async -> T?) async -> T? {
        do { try await clock.sleep(until: due) } catch { return nil }
        await limiter.acquire()
        if Task.isCancelled {
            await limiter.release()
            return nil
        }
        store.probeStarted()
        let result = await withTaskGroup(of: T?.self) { group in
            group.addTask { await work() }
            return await group.next() ?? nil
        }
        store.probeFinished()
        await limiter.release()
        return Task.isCancelled ? nil : result
    }

    /// `lag` is how late the probe started after its slot (waiting for a
    /// permit included): the figure that shows an overloaded exporter.
    func log(provider: String, check: String, outcome: ProbeOutcome, lag: Double, transition: StateTransition?) {
        logger.debug("probe", ["provider": provider, "check": check, "result": outcome.result.rawValue,
                               "status": outcome.status, "duration_seconds": FloatFormat.format(outcome.duration),
                               "lag_seconds": FloatFormat.format(lag), "err": outcome.error ?? ""])
        guard let transition else { return }
        logger.log(transition.to == .down ? .warn : .info, "provider state changed",
                   ["provider": provider, "from": transition.from.rawValue, "to": transition.to.rawValue,
                    "check": check, "result": outcome.result.rawValue, "err": outcome.error ?? ""])
    }
}
