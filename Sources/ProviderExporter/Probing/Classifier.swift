/// Maps a response to a result, first match wins (README, "Checks, results and
/// state"). An error answer is read as the API's (in the provider's error
/// envelope, `ErrorDialect`) or the edge's (a CDN, load balancer or WAF
/// answering in its place), and told apart by the provider's structured fields
/// (`ProviderError`), never by words in the body alone: rate-limit messages
/// mention quota and billing too.
public enum Classifier {
    /// - Parameters:
    ///   - bodyProblem: why the body failed its check, or nil when it passed.
    ///   - dialect: the provider's error envelope (`generic` accepts them all).
    /// - Returns: nil when the transfer was cancelled (reload, shutdown): such a
    ///   probe is not recorded.
    public static func classify(_ response: ClientResponse, expect: StatusMatcher, bodyProblem: String?,
                                dialect: ErrorDialect = .generic) -> Classification? {
        switch response.error {
        case .cancelled?: return nil
        case .timeout?: return Classification(.timeout, error: "no answer within the timeout", rule: "no answer within the timeout")
        case .dns(let m)?: return Classification(.dns_error, error: m, rule: "name resolution failed")
        case .tls(let m)?: return Classification(.tls_error, error: m, rule: "TLS failed")
        case .tooManyRedirects?: return Classification(.http_error, error: "more than 5 redirects", rule: "more than 5 redirects")
        case .connect(let m)?, .other(let m)?: return Classification(.connect_error, error: m, rule: "transport failed")
        case nil: break
        }
        let status = response.status
        // A code listed in expect_status is never an error (a check that auth is
        // enforced expects its 401); a class (`2xx`) does not cover 401, 429, 5xx.
        if !expect.codes.contains(status) {
            if let classified = classifyError(status: status, body: response.body, location: response.location,
                                              expect: expect, dialect: dialect) {
                return classified
            }
        }
        if response.bodyTooLarge { return Classification(.invalid_response, error: "body over \(4 << 20) bytes", rule: "body over 4 MiB") }
        if let bodyProblem { return Classification(.invalid_response, error: bodyProblem, rule: "body check failed: \(bodyProblem)") }
        return Classification(.success, rule: "\(status) is an expected status and the body passed")
    }

    /// An unexpected status, read as the API's answer or the edge's; nil when
    /// the status is expected after all.
    static func classifyError(status: Int, body: [UInt8], location: String?, expect: StatusMatcher,
                              dialect: ErrorDialect) -> Classification? {
        let answer = ProviderError.read(Array(body.prefix(64 * 1024)), dialect: dialect)
        guard let fields = answer else {
            return classifyEdge(status: status, body: body, location: location, expect: expect, dialect: dialect)
        }
        let label = fields.label.map { ": \($0)" } ?? ""
        let hint = fields.retryDelay
        func make(_ result: ProbeResult, _ rule: String) -> Classification {
            Classification(result, error: "HTTP \(status)\(label)",
                           rule: "\(status), the API's answer (in \(dialect.envelopeName)), \(rule) -> \(result.rawValue)",
                           retryHint: hint)
        }
        if let rule = fields.locationRefusal(status: status) { return make(.blocked, rule) }
        if let rule = fields.creditExhaustion(dialect: dialect) { return make(.quota_exhausted, rule) }
        if status == 400, let rule = fields.invalidKey(dialect: dialect) { return make(.auth_error, rule) }
        switch status {
        case 401, 403: return make(.auth_error, "authentication refused")
        case 400 where fields.reasons.contains("API_KEY_INVALID"): return make(.auth_error, "ErrorInfo.reason \"API_KEY_INVALID\"")
        case 402: return make(.quota_exhausted, "payment required")
        default: break
        }
        if let rule = fields.quotaExhaustion(status: status) { return make(.quota_exhausted, rule) }
        if status == 429 || status == 503, let rule = fields.capacityRefusal(dialect: dialect) { return make(.overloaded, rule) }
        switch status {
        case 429:
            let why = [fields.code, fields.type, fields.status].compactMap { $0 }.first(where: ProviderError.isToken)
            return make(.rate_limited, why.map { "\"\($0)\" is not a quota or billing error" } ?? "too many requests")
        case 503, 529: return make(.overloaded, "overloaded")
        case 500...599 where fields.type == "overloaded_error": return make(.overloaded, "error.type \"overloaded_error\"")
        case 500...599: return make(.server_error, "server error")
        default: break
        }
        guard !expect.matches(status) else { return nil }
        if Self.refusedRequestStatuses.contains(status) {
            return make(.request_error, "the provider refuses this request (a retired or unknown model, a refused parameter): fix the check")
        }
        let moved = location.map { " to \($0) (not followed)" } ?? ""
        return Classification(.http_error, error: "HTTP \(status)\(moved)\(label)",
                              rule: "\(status), the API's answer (in \(dialect.envelopeName)), not in expect_status \(expect) -> http_error",
                              retryHint: hint)
    }

    /// The edge answered in the API's place (HTML, plain text, empty, or JSON
    /// outside the provider's envelope): it says nothing of our key or usage.
    static func classifyEdge(status: Int, body: [UInt8], location: String?, expect: StatusMatcher,
                             dialect: ErrorDialect) -> Classification? {
        let what = "the edge's answer (\(ProviderError.describeForm(body)), not in \(dialect.envelopeName))"
        func make(_ result: ProbeResult, _ rule: String) -> Classification {
            Classification(result, error: "HTTP \(status) from the edge", rule: "\(status), \(what), \(rule) -> \(result.rawValue)")
        }
        switch status {
        case 429, 503, 529: return make(.overloaded, "load shedding, not our rate limit")
        case 403, 451: return make(.blocked, "this exporter's location or network is refused")
        case 500...599: return make(.server_error, "server error")
        default: break
        }
        guard !expect.matches(status) else { return nil }
        let moved = location.map { " to \($0) (not followed)" } ?? ""
        return Classification(.http_error, error: "HTTP \(status)\(moved)",
                              rule: "\(status), \(what), not in expect_status \(expect) -> http_error")
    }

    /// Statuses with which an API refuses the request itself: 400, 404, 405,
    /// 409, 413, 422.
    static let refusedRequestStatuses: Set<Int> = [400, 404, 405, 409, 413, 422]
}
/// What the classifier decided about one response: the result, a short
/// secret-free error text, the rule that decided it (for the debug log and
/// reports), and a retry hint carried in the body (Gemini's `RetryInfo`).
public struct Classification: Sendable, Equatable {
    public var result: ProbeResult
    public var error: String?
    public var rule: String
    public var retryHint: Double?

    public init(_ result: ProbeResult, error: String? = nil, rule: String, retryHint: Double? = nil) {
        self.result = result
        self.error = error
        self.rule = rule
        self.retryHint = retryHint
    }
}
