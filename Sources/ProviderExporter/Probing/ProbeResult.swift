/// The result of one probe: the `result` label values of `provider_probes_total`
/// and `provider_last_result`. Declared from success through the transport's
/// failures to the answer's; `<` compares names, the order the exposition
/// writes them in. Which result a response gets is `Classifier`'s.
public enum ProbeResult: String, Sendable, CaseIterable, Comparable {
    case success, timeout, dns_error, connect_error, tls_error, auth_error, quota_exhausted,
         rate_limited, overloaded, server_error, http_error, invalid_response, request_error, blocked

    public var isSuccess: Bool { self == .success }

    /// The caller's side: our key, our credit, our usage, our request, our
    /// location. An outage pages only on the other failures (the provider's side).
    public var isCallerSide: Bool {
        switch self {
        case .auth_error, .quota_exhausted, .rate_limited, .request_error, .blocked: true
        default: false
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a check saw; the state turns it into samples. Failure is data here,
/// never a thrown error.
public struct ProbeOutcome: Sendable {
    public var result: ProbeResult
    /// Status of the last response, 0 if none arrived.
    public var status = 0
    public var duration = 0.0
    public var phases: PhaseTimings?
    public var rateLimits = RateLimits()
    public var certificateExpiry: Double?
    /// A short, secret-free description of what went wrong (nil on success).
    public var error: String?
    /// The classification rule that decided `result`, e.g.
    /// `429, error.code "rate_limit_exceeded" ... -> rate_limited`.
    public var rule: String?
    /// `balance` checks: remaining credit by currency (empty for unlimited keys).
    public var balances: [String: Double]?
    /// `chat` checks: tokens the provider reported in `usage`.
    public var tokens: (input: Int, output: Int)?
    /// Streamed `chat` checks: seconds to the first content delta.
    public var timeToFirstToken: Double?
    /// Every HTTP exchange of the probe (pages of a model list, redirects), for
    /// the debug report; secret-free.
    public var hops: [HopTrace] = []

    public init(result: ProbeResult, status: Int = 0, duration: Double = 0, error: String? = nil) {
        self.result = result
        self.status = status
        self.duration = duration
        self.error = error
    }
}
