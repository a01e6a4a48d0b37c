/// `provider_state{state}` values (README, "Checks, results and state").
public enum ProviderHealth: String, Sendable, CaseIterable {
    case unknown, healthy, degraded, down

    /// Best first, for the `/api/v1/providers` ranking.
    var rank: Int {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .unknown: 2
        case .down: 3
        }
    }
}

/// Why a scheduled probe did not run (`provider_exporter_probes_skipped_total{reason}`).
public enum SkipReason: String, Sendable, CaseIterable {
    case overlap, backoff
}

/// An enum whose cases number themselves 0, 1, ... in declaration order.
public protocol CountedCase: CaseIterable, Sendable {
    var ordinal: Int { get }
}

extension SkipReason: CountedCase {
    public var ordinal: Int {
        switch self {
        case .overlap: 0
        case .backoff: 1
        }
    }
}

extension ProbeResult: CountedCase {
    public var ordinal: Int {
        switch self {
        case .success: 0
        case .timeout: 1
        case .dns_error: 2
        case .connect_error: 3
        case .tls_error: 4
        case .auth_error: 5
        case .quota_exhausted: 6
        case .rate_limited: 7
        case .overloaded: 8
        case .server_error: 9
        case .http_error: 10
        case .invalid_response: 11
        case .request_error: 12
        case .blocked: 13
        }
    }
}

/// A counter per case, 0 until counted: an array by ordinal, since a scrape
/// reads every one of every check (a hashed lookup each was a twentieth of a
/// render at 10,000 checks).
public struct CaseCounts<Case: CountedCase>: Sendable {
    private var values = [UInt64](repeating: 0, count: Case.allCases.count)

    public subscript(_ c: Case) -> UInt64 {
        get { values[c.ordinal] }
        set { values[c.ordinal] = newValue }
    }

    /// The counts above zero, for messages.
    public var nonZero: [(Case, UInt64)] { Case.allCases.compactMap { c in self[c] > 0 ? (c, self[c]) : nil } }
}

/// Everything known about one check, kept across reloads while the check stays.
public struct CheckRecord: Sendable {
    public var config: CheckConfig
    public var histogram: HistogramValue
    public var counts = CaseCounts<ProbeResult>()
    public var skipped = CaseCounts<SkipReason>()
    public var lastResult: ProbeResult?
    public var consecutiveFailures = 0
    public var lastStatus = 0
    public var lastProbeAt: Double?
    public var nextProbeAt: Double?
    public var lastSuccessAt: Double?
    public var lastDuration: Double?
    public var phases: PhaseTimings?
    /// Windows the last response reported, per resource (none when it sent no headers).
    public var rateLimits: [RateLimitResource: RateLimitWindow] = [:]
    public var retryAfter: Double?
    public var certificateExpiry: Double?
    public var lastError: String?
    /// `balance` checks: the last successful reading.
    public var balances: [String: Double] = [:]
    /// `chat` checks: tokens spent, by kind.
    public var inputTokens: UInt64 = 0
    public var outputTokens: UInt64 = 0
    /// Streamed `chat` checks.
    public var timeToFirstToken: HistogramValue

    init(config: CheckConfig, buckets: [Double]) {
        self.config = config
        histogram = HistogramValue(upperBounds: buckets)
        timeToFirstToken = HistogramValue(upperBounds: buckets)
    }

    /// Whether a rate-limit window has under 10% of its limit left and has not
    /// reset yet (its reset time is in the future, or unknown).
    func rateLimitLow(now: Double) -> Bool {
        rateLimits.values.contains { w in
            guard let limit = w.limit, let remaining = w.remaining, limit > 0 else { return false }
            return remaining < 0.1 * limit && (w.reset.map { $0 > now } ?? true)
        }
    }
}

/// Everything known about one provider.
public struct ProviderRecord: Sendable {
    public var config: ProviderConfig
    /// In config order.
    public var checks: [CheckRecord]
    /// The last 20 API probes of any check: success and duration, for the score.
    public var recent: [(ok: Bool, duration: Double)] = [] {
        didSet { healthScore = Self.score(recent, hasChecks: !checks.isEmpty) }
    }
    /// `provider_health_score` (README, "Checks, results and state"), nil without API probes;
    /// worked out when a probe is recorded, not per scrape.
    public private(set) var healthScore: Double?
    public var health: ProviderHealth = .unknown
    public var statusPage: StatusPageRecord?
    public init(config: ProviderConfig, checks: [CheckRecord]) {
        self.config = config
        self.checks = checks
    }

    /// 0.6 × max(0, 1 − median latency / 1 s) + 0.4 × success ratio.
    static func score(_ recent: [(ok: Bool, duration: Double)], hasChecks: Bool) -> Double? {
        guard hasChecks, !recent.isEmpty else { return nil }
        let durations = recent.map(\.duration).sorted()
        let n = durations.count
        let median = n % 2 == 1 ? durations[n / 2] : (durations[n / 2 - 1] + durations[n / 2]) / 2
        let ratio = Double(recent.filter(\.ok).count) / Double(n)
        return 0.6 * max(0, 1 - median) + 0.4 * ratio
    }

    /// The state README, "Checks, results and state" defines. With API checks: unknown until one
    /// completes, down on `failure_threshold` failures, degraded on a failed or
    /// slow probe, low rate limit, or a status page that is not all clear.
    /// Status-page only: unknown while its last fetch failed, down on a
    /// critical indicator or a watched component in major outage.
    func evaluate(now: Double) -> ProviderHealth {
        let page = statusPage
        guard !checks.isEmpty else {
            guard let page, page.up == true, page.state != nil else { return .unknown }
            if page.meansDown { return .down }
            return page.degrades ? .degraded : .healthy
        }
        let probed = checks.filter { $0.lastResult != nil }
        guard !probed.isEmpty else { return .unknown }
        if probed.contains(where: { $0.consecutiveFailures >= $0.config.failureThreshold }) { return .down }
        let degraded = probed.contains { c in
            c.lastResult != .success
                || (c.lastDuration ?? 0) > c.config.degradedLatency.seconds
                || c.rateLimitLow(now: now)
        }
        return degraded || (page?.degrades ?? false) ? .degraded : .healthy
    }
}
