import Synchronization

/// The one path every probe takes, whether the scheduler or `/probe` asked for
/// it (README, "Endpoints" and "Checks, results and state"): at most `max_concurrent_probes` at once, never
/// the same check twice at once (a second caller joins the probe in flight),
/// the outcome recorded in the store, and every state transition logged.
/// `/probe` additionally runs a check only when it is due: its last probe
/// finished at least `--probe.min-interval` ago and no retry-hint or backoff
/// hold applies.
public final class ProbeRunner: Sendable {
    /// What to probe: an API check or a provider's status page, by name.
    public struct Job: Sendable {
        public let provider: String
        public let check: String
        let timeout: Double
        /// The page, for a status page's log lines.
        let statusPage: StatusPageConfig?
        /// Makes the probe (once per job and config: a status page's keeps its
        /// conditional-request cache between fetches).
        let make: @Sendable () -> any Probe

        public static func check(_ provider: ProviderConfig, _ check: CheckConfig) -> Job {
            Job(provider: provider.name, check: check.name, timeout: check.timeout.seconds, statusPage: nil) {
                Checks.make(check, provider: provider)
            }
        }

        public static func page(_ provider: ProviderConfig, _ page: StatusPageConfig) -> Job {
            Job(provider: provider.name, check: StatusPageConfig.checkName, timeout: page.timeout.seconds, statusPage: page) {
                StatusPageFetcher(page: page, provider: provider)
            }
        }

        var key: String { provider + "\u{0}" + check }
    }

    public typealias Finished = ProbeFinished

    struct Entry {
        var task: Task<Finished?, Never>?
        /// Which task `task` is, so a cancelled one that ends late cannot clear its successor.
        var token: UInt64 = 0
        var lastFinished: Double?
        /// A retry hint: no probe of the check, by anyone, before this time
        /// (`finish + min(hint, backoff_max)`, whoever ran the hinted probe).
        var hintUntil: Double?
        /// Backoff: the scheduler's next slot while the provider is down;
        /// `/probe` does not run the check before it.
        var backoffUntil: Double?

        /// The later of the two holds.
        var holdUntil: Double? { [hintUntil, backoffUntil].compactMap { $0 }.max() }
        /// The probe, made on first use after each config.
        var probe: (any Probe)?
    }

    struct State {
        var limiter = ProbeLimiter(limit: 64)
        var entries: [String: Entry] = [:]
        var tokens: UInt64 = 0
        /// How long a retry hint may hold a check: `backoff_max`, 5 m when off.
        var hintCap = 300.0
    }

    let client: HTTPClient
    let store: StateStore
    let clock: any TimeSource
    let logger: Logger
    /// The last probes with their debug reports.
    public let journal = ProbeJournal()
    private let state = Mutex(State())

    init(client: HTTPClient, store: StateStore, clock: any TimeSource, logger: Logger) {
        self.client = client
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Adopts a (re)loaded config: a new concurrency limit, probes in flight
    /// cancelled (their transfers with them), and what is known of checks that
    /// stay (last finish, holds) kept.
    func apply(_ config: ExporterConfig) {
        var keys: Set<String> = []
        for p in config.providers {
            for c in p.checks { keys.insert(Job.check(p, c).key) }
            if let page = p.statusPage { keys.insert(Job.page(p, page).key) }
        }
        let running = state.withLock { s -> [Task<Finished?, Never>] in
            s.limiter = ProbeLimiter(limit: config.global.maxConcurrentProbes)
            s.hintCap = Schedule.hintCap(backoffMax: config.global.backoffMax.seconds)
            let tasks = s.entries.values.compactMap(\.task)
            s.entries = s.entries.filter { keys.contains($0.key) }.mapValues { entry in
                var kept = entry
                kept.task = nil
                kept.probe = nil // a changed page starts with a full fetch
                return kept
            }
            return tasks
        }
        for task in running { task.cancel() }
        journal.retain { provider, check in keys.contains(provider + "\u{0}" + check) }
    }

    /// Cancels every probe in flight (shutdown).
    func stop() {
        let running = state.withLock { s in s.entries.values.compactMap(\.task) }
        for task in running { task.cancel() }
    }

    /// Runs `job` now, or joins its probe in flight (`joined` is then true).
    /// nil when the probe was cancelled (a reload or shutdown).
    /// - Parameter due: the slot it was scheduled for, for the lag in the debug log.
    func run(_ job: Job, due: Double? = nil) async -> (finished: Finished, joined: Bool)? {
        let (task, joined) = state.withLock { s in start(job, due: due, source: .scheduler, &s) }
        guard let finished = await task.value else { return nil }
        return (finished, joined)
    }

    /// For `/probe`: runs `job` when it is due, joins it when it is in flight,
    /// and otherwise returns nil: the caller answers from the last result.
    /// Waits at most `wait` seconds (Prometheus' scrape timeout) for the probe.
    func runIfDue(_ job: Job, minInterval: Double, wait: Double, timeout: Double? = nil) async -> Finished? {
        let now = clock.now()
        let task: Task<Finished?, Never>? = state.withLock { s in
            let entry = s.entries[job.key]
            if let running = entry?.task { return running }
            if let last = entry?.lastFinished, now - last < minInterval { return nil }
            if let hold = entry?.holdUntil, now < hold { return nil }
            return start(job, due: nil, timeout: timeout, source: .probeEndpoint, &s).task
        }
        guard let task else { return nil }
        return await withTaskGroup(of: Finished?.self) { group in
            group.addTask { await task.value }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(max(0, wait) * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll() // stops the sleep; the shared probe goes on for its other waiters
            return first
        }
    }

    /// Probes waiting for a `max_concurrent_probes` permit now.
    func waitingForPermit() async -> Int {
        let limiter = state.withLock { $0.limiter }
        return await limiter.waitingCount
    }

    /// Holds `/probe` back until the scheduler's backed-off slot, or lifts
    /// that hold (nil). A retry hint's hold is kept either way.
    func holdForBackoff(_ job: Job, until time: Double?) {
        state.withLock { s in s.entries[job.key, default: Entry()].backoffUntil = time }
    }

    /// Until when no probe of `job` may run (a retry hint, backoff), if that
    /// is after `now`.
    func heldUntil(_ job: Job, now: Double) -> Double? {
        state.withLock { s in s.entries[job.key]?.holdUntil }.flatMap { $0 > now ? $0 : nil }
    }

    /// The task probing `job`: the one in flight, or a new one.
    private func start(_ job: Job, due: Double?, timeout: Double? = nil, source: ProbeJournal.Source,
                       _ s: inout State) -> (task: Task<Finished?, Never>, joined: Bool) {
        if let running = s.entries[job.key]?.task { return (running, true) }
        let limiter = s.limiter
        var entry = s.entries[job.key] ?? Entry()
        if entry.probe == nil { entry.probe = job.make() }
        let probe = entry.probe!
        // A task of its own per probe: a task's allocator keeps the largest
        // footprint its frames reached until the task ends, so probing inside the
        // scheduler's long-lived loop tasks kept about 7 KB per check for good.
        s.tokens += 1
        let token = s.tokens
        // An API check runs on the probe thread beside its transfer (no hand-off
        // per probe); a status page decodes bodies of megabytes, which would
        // hold that thread, so it runs on the task pool.
        let task = Task(executorPreference: job.statusPage == nil ? client.executor : nil) { [self] () -> Finished? in
            let finished = await run(job, probe, limiter: limiter, due: due, timeout: timeout ?? job.timeout, source: source)
            state.withLock { s in
                guard s.entries[job.key]?.token == token else { return }
                s.entries[job.key]?.task = nil
                if finished != nil { s.entries[job.key]?.lastFinished = clock.now() }
            }
            return finished
        }
        entry.task = task
        entry.token = token
        s.entries[job.key] = entry
        return (task, false)
    }

    /// Takes a permit, probes, records and logs. nil when cancelled.
    private func run(_ job: Job, _ probe: any Probe, limiter: ProbeLimiter, due: Double?, timeout: Double,
                     source: ProbeJournal.Source) async -> Finished? {
        await limiter.acquire()
        if Task.isCancelled {
            await limiter.release()
            return nil
        }
        let started = clock.now()
        store.probeStarted()
        let finished = await probe.probe(using: client, timeout: timeout, clock: clock)
        store.probeFinished()
        await limiter.release()
        guard let finished, !Task.isCancelled else { return nil }
        let at = clock.now()
        switch finished {
        case .api(let outcome):
            let recorded = store.recordProbe(provider: job.provider, check: job.check, outcome: outcome, finishedAt: at)
            let transition = recorded?.transition
            if let recorded {
                journal.append(ProbeJournal.Entry(
                    id: 0, provider: job.provider, check: job.check, source: source, finishedAt: at, duration: outcome.duration,
                    result: outcome.result.rawValue, failed: !outcome.result.isSuccess, stateBefore: recorded.before,
                    stateAfter: recorded.after, detail: .api(outcome), snapshot: recorded.snapshot))
            }
            if let hint = outcome.rateLimits.retryAfter, hint > 0 {
                // Whoever ran it, a retry hint holds every probe of the check
                // (the scheduler's and /probe's) until finish + min(hint, cap).
                state.withLock { s in
                    let until = at + min(hint, s.hintCap)
                    let earlier = s.entries[job.key]?.hintUntil ?? 0
                    s.entries[job.key]?.hintUntil = max(earlier, until)
                }
            }
            log(job, outcome: outcome, lag: started - (due ?? started), transition: transition)
        case .page(let outcome, _):
            let recorded = store.recordStatusPage(provider: job.provider, outcome: outcome, finishedAt: at)
            if let page = job.statusPage { logPage(provider: job.provider, page: page, outcome: outcome, recorded: recorded) }
            if let snapshot = recorded.snapshot {
                let result: FetchResult = switch outcome {
                case .ok: .ok
                case .notModified: .not_modified
                case .error: .error
                }
                journal.append(ProbeJournal.Entry(
                    id: 0, provider: job.provider, check: job.check, source: source, finishedAt: at, duration: at - started,
                    result: result.rawValue, failed: result == .error, stateBefore: recorded.before, stateAfter: recorded.after,
                    detail: finished, snapshot: snapshot))
            }
        }
        return finished
    }

    /// `lag` is how late the probe started after its slot (waiting for a
    /// permit included): the figure that shows an overloaded exporter.
    func log(_ job: Job, outcome: ProbeOutcome, lag: Double, transition: StateTransition?) {
        // `rule` and `err` only when there is one: a success logs no empty `err=""`.
        var why: [(String, String)] = []
        if let rule = outcome.rule { why.append(("rule", rule)) }
        if let error = outcome.error { why.append(("err", error)) }
        logger.log(.debug, "probe", pairs: [("provider", job.provider), ("check", job.check), ("result", outcome.result.rawValue),
                                            ("status", String(outcome.status)), ("duration_seconds", FloatFormat.format(outcome.duration)),
                                            ("lag_seconds", FloatFormat.format(lag))] + why)
        transition?.log(logger, cause: [("check", job.check), ("result", outcome.result.rawValue)] + why.filter { $0.0 == "err" })
    }

    func logPage(provider: String, page: StatusPageConfig, outcome: StatusPageOutcome, recorded: StateStore.PageRecorded) {
        switch outcome {
        case .error(let text):
            logger.warn("status page fetch failed; keeping its last state", ["provider": provider, "page": page.url, "err": text])
        case .ok, .notModified:
            logger.debug("status page fetched", ["provider": provider, "page": page.url])
        }
        for value in recorded.newUnknownValues {
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
        recorded.transition?.log(logger, cause: [("check", StatusPageConfig.checkName)])
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

    /// Probes waiting for a permit.
    var waitingCount: Int { waiting.count }

    func release() {
        if waiting.isEmpty { available += 1 } else { waiting.removeFirst().resume() }
    }
}
