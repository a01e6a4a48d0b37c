/// The result of one probe: SPEC section 6's `result` label values, in SPEC's
/// order of precedence (section 7).
public enum ProbeResult: String, Sendable, CaseIterable, Comparable {
    case success, timeout, dns_error, connect_error, tls_error, auth_error, quota_exhausted,
         rate_limited, overloaded, server_error, http_error, invalid_response

    public var isSuccess: Bool { self == .success }

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
    /// `balance` checks: remaining credit by currency (empty for unlimited keys).
    public var balances: [String: Double]?
    /// `chat` checks: tokens the provider reported in `usage`.
    public var tokens: (input: Int, output: Int)?
    /// Streamed `chat` checks: seconds to the first content delta.
    public var timeToFirstToken: Double?

    public init(result: ProbeResult, status: Int = 0, duration: Double = 0, error: String? = nil) {
        self.result = result
        self.status = status
        self.duration = duration
        self.error = error
    }
}

/// Maps a response to a result, first match wins (SPEC section 7).
public enum Classifier {
    /// - Parameters:
    ///   - bodyProblem: why the body failed its check, or nil when it passed.
    /// - Returns: nil when the transfer was cancelled (reload, shutdown): such a
    ///   probe is not recorded.
    public static func classify(_ response: ClientResponse, expect: StatusMatcher, bodyProblem: String?) -> (ProbeResult, String?)? {
        switch response.error {
        case .cancelled?: return nil
        case .timeout?: return (.timeout, "no answer within the timeout")
        case .dns(let m)?: return (.dns_error, m)
        case .tls(let m)?: return (.tls_error, m)
        case .tooManyRedirects?: return (.http_error, "more than 5 redirects")
        case .connect(let m)?, .other(let m)?: return (.connect_error, m)
        case nil: break
        }
        let status = response.status
        let explicitlyExpected = expect.codes.contains(status)
        if !explicitlyExpected {
            let text = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
            let detail = errorDetail(text).map { ": \($0)" } ?? ""
            switch status {
            case 401, 403: return (.auth_error, "HTTP \(status)\(detail)")
            case 400 where text.contains("API_KEY_INVALID"): return (.auth_error, "HTTP 400 API_KEY_INVALID\(detail)")
            case 402: return (.quota_exhausted, "HTTP 402\(detail)")
            case 429 where quotaWords.contains(where: { text.lowercased().contains($0) }):
                return (.quota_exhausted, "HTTP 429\(detail)")
            case 429: return (.rate_limited, "HTTP 429\(detail)")
            case 503, 529: return (.overloaded, "HTTP \(status)\(detail)")
            case 500...599: return (.server_error, "HTTP \(status)\(detail)")
            default: break
            }
            if !expect.matches(status) {
                let moved = response.location.map { " to \($0) (not followed)" } ?? ""
                return (.http_error, "HTTP \(status)\(moved)\(detail)")
            }
        }
        if response.bodyTooLarge { return (.invalid_response, "body over \(4 << 20) bytes") }
        if let bodyProblem { return (.invalid_response, bodyProblem) }
        return (.success, nil)
    }

    /// Words in a 429 body that mean money, not rate: OpenAI `insufficient_quota`,
    /// Anthropic `enforced_spend_limit_reached`, billing errors.
    static let quotaWords = ["insufficient_quota", "exceeded your current quota", "billing", "spend limit", "spend_limit"]

    /// The provider's own error code or type, for logs: `invalid_api_key`,
    /// `overloaded_error`, `RESOURCE_EXHAUSTED`. Never the message, which may
    /// echo part of a key.
    static func errorDetail(_ body: String) -> String? {
        guard let json = try? JSONValue.parse(Array(body.utf8)), let error = json["error"] else { return nil }
        for key in ["code", "type", "status"] {
            if case .string(let s)? = error[key], !s.isEmpty, s.count <= 64,
               s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) { return s }
        }
        return nil
    }
}
