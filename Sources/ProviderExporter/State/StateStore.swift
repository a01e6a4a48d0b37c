import Synchronization

/// A provider's state change, for the one log line per transition.
public struct StateTransition: Sendable, Equatable {
    public var provider: String
    public var from: ProviderHealth
    public var to: ProviderHealth

    /// The one "provider state changed" line, whatever caused it: a warning
    /// into `down`, info otherwise; `cause` says what (check and result, or a reload).
    public func log(_ logger: Logger, cause: [(String, String)]) {
        logger.log(to == .down ? .warn : .info, "provider state changed",
                   pairs: [("provider", provider), ("from", from.rawValue), ("to", to.rawValue)] + cause)
    }
}

/// The latest state of every provider and check, behind one lock. Probes write
/// outcomes here; collectors and endpoints read copies.
public final class StateStore: Sendable {
    struct Store {
        var providers: [ProviderRecord] = []
        /// Position of each provider in `providers`: probes record by name, and
        /// a scan of 10,000 providers per probe (copying each record it passed)
        /// was most of the exporter's CPU at that scale.
        var index: [String: Int] = [:]
        var buckets: [Double] = []
        /// The order scrapes write the providers' series in.
        var layout = ExpositionLayout()
        var inFlight = 0
        /// Incidents logged as new in this process (provider/id).
        var seenIncidents: Set<String> = []
    }

    private let store = Mutex(Store())

    public init() {}

    /// Adopts a (re)loaded config: providers and checks that stay keep their
    /// counters and history; removed ones disappear with their series; new ones
    /// start with every counter at 0. A change of buckets resets histograms.
    /// Returns the state changes the new config causes (a check removed from a
    /// down provider, a new threshold), for the log.
    @discardableResult
    public func apply(_ config: ExporterConfig, now: Double = Posix.wallSeconds()) -> [StateTransition] {
        store.withLock { s in
            var transitions: [StateTransition] = []
            let old = Dictionary(uniqueKeysWithValues: s.providers.map { ($0.config.name, $0) })
            let bucketsChanged = s.buckets != config.global.buckets
            s.buckets = config.global.buckets
            s.providers = config.providers.map { p in
                let previous = old[p.name]
                let previousChecks = Dictionary(uniqueKeysWithValues: (previous?.checks ?? []).map { ($0.config.name, $0) })
                let checks = p.checks.map { c -> CheckRecord in
                    guard var kept = previousChecks[c.name], kept.config.type == c.type else {
                        return CheckRecord(config: c, buckets: config.global.buckets)
                    }
                    kept.config = c
                    if bucketsChanged {
                        kept.histogram = HistogramValue(upperBounds: config.global.buckets)
                        kept.timeToFirstToken = HistogramValue(upperBounds: config.global.buckets)
                    }
                    return kept
                }
                var record = ProviderRecord(config: p, checks: checks)
                if let page = p.statusPage {
                    // A kept page (same URL and format) keeps its state and counters.
                    if var kept = previous?.statusPage, kept.config.url == page.url, kept.config.format == page.format {
                        kept.config = page
                        record.statusPage = kept
                    } else {
                        record.statusPage = StatusPageRecord(config: page)
                    }
                }
                if let previous {
                    record.recent = previous.recent
                    record.health = previous.health
                }
                record.health = record.evaluate(now: now)
                if let previous, previous.health != record.health {
                    transitions.append(StateTransition(provider: p.name, from: previous.health, to: record.health))
                }
                return record
            }
            s.index = Dictionary(uniqueKeysWithValues: s.providers.enumerated().map { ($1.config.name, $0) })
            s.layout = ExpositionLayout(s.providers)
            return transitions
        }
    }

    /// What recording a probe did: the state before and after, and the
    /// provider as it left it with only this check (for the debug report).
    public struct ProbeRecorded: Sendable {
        public var before: ProviderHealth
        public var after: ProviderHealth
        public var snapshot: ProviderRecord
        public var transition: StateTransition? {
            before == after ? nil : StateTransition(provider: snapshot.config.name, from: before, to: after)
        }
    }

    /// Records a finished probe; nil when the check is no longer configured.
    @discardableResult
    public func recordProbe(provider: String, check: String, outcome: ProbeOutcome, finishedAt: Double) -> ProbeRecorded? {
        store.withLock { s in
            guard let p = s.index[provider],
                  let c = s.providers[p].checks.firstIndex(where: { $0.config.name == check }) else { return nil }
            var r = s.providers[p].checks[c]
            r.counts[outcome.result] += 1
            r.histogram.observe(outcome.duration)
            r.lastResult = outcome.result
            r.lastStatus = outcome.status
            r.lastProbeAt = finishedAt
            r.lastDuration = outcome.duration
            r.phases = outcome.phases ?? r.phases
            // What the last response said: a response without a dialect's
            // headers removes the check's rate-limit series.
            r.retryAfter = outcome.rateLimits.retryAfter
            r.rateLimits = outcome.rateLimits.windows
            if let expiry = outcome.certificateExpiry { r.certificateExpiry = expiry }
            if let balances = outcome.balances { r.balances = balances }
            if let tokens = outcome.tokens {
                r.inputTokens += UInt64(tokens.input)
                r.outputTokens += UInt64(tokens.output)
            }
            if let ttft = outcome.timeToFirstToken { r.timeToFirstToken.observe(ttft) }
            if outcome.result.isSuccess {
                r.consecutiveFailures = 0
                r.lastSuccessAt = finishedAt
                r.lastError = nil
            } else {
                r.consecutiveFailures += 1
                r.lastError = outcome.error ?? outcome.result.rawValue
            }
            s.providers[p].checks[c] = r
            s.providers[p].recent.append((outcome.result.isSuccess, outcome.duration))
            if s.providers[p].recent.count > 20 { s.providers[p].recent.removeFirst() }
            let before = s.providers[p].health
            let after = s.providers[p].evaluate(now: finishedAt)
            s.providers[p].health = after
            var snapshot = s.providers[p]
            snapshot.checks = [r]
            snapshot.statusPage = nil
            return ProbeRecorded(before: before, after: after, snapshot: snapshot)
        }
    }

    /// What recording a status-page fetch produced, for the log.
    public struct PageRecorded: Sendable {
        public var transition: StateTransition?
        public var changes: [IncidentChange] = []
        /// The state before and after, and the provider with only its page (debug report).
        public var before: ProviderHealth = .unknown
        public var after: ProviderHealth = .unknown
        public var snapshot: ProviderRecord?
        /// Components cut by the cap, when that number changed.
        public var newlyCut: Int?
        /// Undocumented values this page had not used before (logged once each).
        public var newUnknownValues: [String] = []
    }

    /// Records a status-page fetch. A failed one keeps the last good state.
    public func recordStatusPage(provider: String, outcome: StatusPageOutcome, finishedAt: Double) -> PageRecorded {
        store.withLock { s in
            var recorded = PageRecorded()
            var reorder = false
            guard let p = s.index[provider], var page = s.providers[p].statusPage else { return recorded }
            page.lastFetchAt = finishedAt
            switch outcome {
            case .ok(let fresh):
                let (watched, cut) = page.watched(fresh)
                reorder = page.state.map { !$0.sameLabels(as: watched) } ?? true
                recorded.changes = IncidentChange.changes(provider: provider, old: page.state?.incidents ?? [],
                                                          new: watched.incidents, seen: &s.seenIncidents)
                if cut != page.componentsCut { recorded.newlyCut = cut }
                recorded.newUnknownValues = fresh.unknownValues.filter { page.warnedValues.insert($0).inserted }
                page.componentsCut = cut
                page.state = watched
                page.up = true
                page.lastError = nil
                page.fetches[.ok, default: 0] += 1
            case .notModified:
                page.up = page.state != nil
                page.fetches[.not_modified, default: 0] += 1
            case .error(let text):
                page.up = false
                page.lastError = text
                page.fetches[.error, default: 0] += 1
            }
            s.providers[p].statusPage = page
            if reorder { s.layout.orderPages(s.providers) }
            let before = s.providers[p].health
            let after = s.providers[p].evaluate(now: finishedAt)
            s.providers[p].health = after
            if before != after { recorded.transition = StateTransition(provider: provider, from: before, to: after) }
            recorded.before = before
            recorded.after = after
            var snapshot = s.providers[p]
            snapshot.checks = []
            recorded.snapshot = snapshot
            return recorded
        }
    }

    public func setNextStatusPageFetch(provider: String, at time: Double) {
        store.withLock { s in
            guard let p = s.index[provider] else { return }
            s.providers[p].statusPage?.nextFetchAt = time
        }
    }

    public func setNextProbe(provider: String, check: String, at time: Double) {
        update(provider, check) { $0.nextProbeAt = time }
    }

    public func countSkip(provider: String, check: String, reason: SkipReason, count: UInt64 = 1) {
        update(provider, check) { $0.skipped[reason] += count }
    }

    public func probeStarted() { store.withLock { $0.inFlight += 1 } }
    public func probeFinished() { store.withLock { $0.inFlight -= 1 } }

    private func update(_ provider: String, _ check: String, _ body: (inout CheckRecord) -> Void) {
        store.withLock { s in
            guard let p = s.index[provider],
                  let c = s.providers[p].checks.firstIndex(where: { $0.config.name == check }) else { return }
            body(&s.providers[p].checks[c])
        }
    }

    /// What a scrape writes: a copy-on-write snapshot and its order.
    public var view: StateView {
        store.withLock { StateView(providers: $0.providers, layout: $0.layout, inFlight: $0.inFlight) }
    }

    /// A copy of everything, for collectors and endpoints.
    public var snapshot: (providers: [ProviderRecord], inFlight: Int) {
        store.withLock { ($0.providers, $0.inFlight) }
    }

    public func provider(named name: String) -> ProviderRecord? {
        store.withLock { s in s.index[name].map { s.providers[$0] } }
    }

    /// A provider's state, without copying its record.
    public func health(of provider: String) -> ProviderHealth? {
        store.withLock { s in s.index[provider].map { s.providers[$0].health } }
    }
}
