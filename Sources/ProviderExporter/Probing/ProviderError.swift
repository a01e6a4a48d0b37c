/// The structured fields of a provider's error body, in every envelope the
/// providers of PROVIDERS.md use ("What error responses mean"):
/// - OpenAI and OpenAI-compatible APIs (Groq, DeepSeek, OpenRouter, Together):
///   `{"error": {"message", "type", "code", "param", "metadata"}}`, `code` a
///   string or a number;
/// - Anthropic: `{"type": "error", "error": {"type", "message"}}`;
/// - Gemini: `{"error": {"code", "message", "status", "details": [...]}}` with
///   `google.rpc.ErrorInfo` (`reason`), `google.rpc.QuotaFailure`
///   (`violations[].quotaId`) and `google.rpc.RetryInfo` (`retryDelay`);
/// - Mistral: the same fields at the top level (`{"object": "error", "type",
///   "code", "message"}`) or only `{"message"}`.
/// Classification reads these fields; the message is read only where a
/// provider's structured type alone is ambiguous (Anthropic's low-credit 400
/// and spend cap, which share `invalid_request_error` and `rate_limit_error`).
public struct ProviderError: Sendable, Equatable {
    public var code: String?
    public var type: String?
    /// Gemini's canonical status: `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, ...
    public var status: String?
    public var message: String?
    /// Gemini `ErrorInfo.reason` values: `API_KEY_INVALID`, ...
    public var reasons: [String] = []
    /// Gemini `QuotaFailure` violations' `quotaId`s; nil without a QuotaFailure.
    public var quotaIDs: [String]?
    /// Gemini `RetryInfo.retryDelay` in seconds.
    public var retryDelay: Double?

    public init() {}

    /// Reads the error fields of a body; nil when it is not JSON or has none.
    public static func parse(_ body: [UInt8]) -> ProviderError? {
        guard body.first(where: { $0 > 32 }) == UInt8(ascii: "{"), let json = try? JSONValue.parse(body) else { return nil }
        // Nested under `error` (OpenAI, Anthropic, Gemini) or at the top (Mistral).
        let fields: JSONValue
        if let nested = json["error"], case .object = nested {
            fields = nested
        } else {
            fields = json
        }
        var e = ProviderError()
        e.code = scalar(fields["code"])
        e.type = fields["type"]?.string
        e.status = fields["status"]?.string
        e.message = fields["message"]?.string
        for detail in fields["details"]?.array ?? [] {
            let kind = detail["@type"]?.string ?? ""
            if let reason = detail["reason"]?.string { e.reasons.append(reason) }
            if kind.hasSuffix("google.rpc.QuotaFailure") || detail["violations"] != nil {
                let ids = (detail["violations"]?.array ?? []).compactMap { $0["quotaId"]?.string }
                e.quotaIDs = (e.quotaIDs ?? []) + ids
            }
            if let delay = detail["retryDelay"]?.string.flatMap(protobufDuration) { e.retryDelay = delay }
        }
        let empty = ProviderError()
        return e == empty ? nil : e
    }

    static func scalar(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .number(let n)? where n.isFinite && n == n.rounded() && abs(n) < 1e15: return String(Int(n))
        default: return nil
        }
    }

    /// A protobuf JSON duration: seconds with an `s` suffix (`"33s"`, `"36.43s"`).
    static func protobufDuration(_ text: String) -> Double? {
        guard text.hasSuffix("s"), let v = Double(text.dropLast()), v.isFinite, v >= 0, v < 1e9 else { return nil }
        return v
    }

    /// Whether the structured fields say credit, billing or a daily quota is
    /// exhausted (SPEC section 7), and by which rule.
    func quotaExhaustion(status: Int) -> String? {
        for field in [code, type] {
            if let field, Self.quotaCodes.contains(field) { return "error.\(field == code ? "code" : "type") \"\(field)\"" }
        }
        // Anthropic: a 400 invalid_request_error about the credit balance, and the
        // monthly spend cap, sent as a rate_limit_error or as an invalid_request_error.
        if type == "invalid_request_error" || type == "rate_limit_error", let text = message?.lowercased() {
            for phrase in Self.anthropicQuotaPhrases where text.contains(phrase) {
                return "error.type \"\(type!)\" saying \"\(phrase)\""
            }
        }
        // Gemini: a QuotaFailure on a 429 whose violations are all daily quotas.
        if status == 429, let ids = quotaIDs, !ids.isEmpty, ids.allSatisfy({ $0.contains("PerDay") }) {
            return "QuotaFailure with only daily quotas (\(ids.filter(Self.isToken).joined(separator: ", ")))"
        }
        return nil
    }

    /// OpenAI `insufficient_quota` (as code and as type), Anthropic
    /// `billing_error` and `enforced_spend_limit_reached`, and the
    /// `insufficient_credits`/`insufficient_balance` codes gateways send.
    static let quotaCodes: Set<String> = ["insufficient_quota", "billing_error", "enforced_spend_limit_reached",
                                          "insufficient_credits", "insufficient_balance", "billing_hard_limit_reached"]

    /// Anthropic's messages for exhausted credit and the spend cap, read only
    /// together with their structured type.
    static let anthropicQuotaPhrases = ["credit balance is too low", "spend limit", "reached your specified api usage limits"]

    /// A short, secret-free name for logs and `last_error`: the provider's
    /// code, type or status (never the message, which may echo a key), and the
    /// quota ids of a Gemini QuotaFailure.
    var label: String? {
        var parts: [String] = []
        // A numeric code (Gemini's and OpenRouter's repeat the HTTP status) names less than a type or status.
        let numeric = code.map { $0.allSatisfy(\.isNumber) } ?? false
        for field in numeric ? [type, status, code] : [code, type, status] {
            if let f = field, Self.isToken(f) { parts.append(f); break }
        }
        if let ids = quotaIDs, !ids.isEmpty {
            parts.append("(" + ids.filter(Self.isToken).prefix(3).joined(separator: ", ") + ")")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
    }
}
