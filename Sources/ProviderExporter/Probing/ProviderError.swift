/// How a provider's API words its errors: the envelope that makes an answer
/// the API's own. An error answer outside it comes from the edge in front of
/// the API (a CDN, load balancer or WAF: HTML, plain text, or JSON of the
/// edge's own shape) and says nothing of our key or usage.
public enum ErrorDialect: String, Sendable, CaseIterable {
    /// `{"error": {"message", "type", "code", "param"}}`: OpenAI and the
    /// compatible APIs that copy it (Groq, DeepSeek, Together).
    case openai
    /// The OpenAI envelope with `metadata` (`raw`, `provider_name`): an upstream
    /// provider's error is wrapped, never read.
    case openrouter
    /// `{"type": "error", "error": {"type", "message"}}`.
    case anthropic
    /// `{"error": {"code", "message", "status", "details"}}` (google.rpc).
    case gemini
    /// `{"object": "error", "message", "type", "code"}` or `{"message": ...}`,
    /// and the OpenAI envelope.
    case mistral
    /// A bare JSON string (`"Your team ... has either used all available
    /// credits..."`), or `{"code", "error"}` with `error` a string.
    case xai
    /// `{"message": ...}`.
    case cohere
    /// Self-hosted gateways and checks without a preset: any envelope above,
    /// and `{"error": "text"}` (vLLM, Ollama, LiteLLM).
    case generic

    public init(preset: String?) {
        switch preset {
        case "openai", "groq", "deepseek", "together": self = .openai
        case "openrouter": self = .openrouter
        case "anthropic": self = .anthropic
        case "gemini": self = .gemini
        case "mistral": self = .mistral
        case "xai": self = .xai
        case "cohere": self = .cohere
        default: self = .generic
        }
    }

    /// How the debug report names the envelope.
    var envelopeName: String { self == .generic ? "any provider's error envelope" : "the \(rawValue) error envelope" }

    /// Whether a JSON object is this API's error envelope.
    func isEnvelope(_ json: JSONValue) -> Bool {
        switch self {
        case .openai, .openrouter: return Self.openAIShape(json)
        case .anthropic: return json["type"]?.string == "error" && json["error"]?["type"]?.string != nil
        case .gemini:
            guard let error = json["error"], case .object = error else { return false }
            return error["status"]?.string != nil || error["code"]?.number != nil
        case .mistral: return json["object"]?.string == "error" || json["message"]?.string != nil
            || json["detail"] != nil || Self.openAIShape(json)
        case .xai: return json["error"]?.string != nil || Self.openAIShape(json) || json["code"] != nil
        case .cohere: return json["message"]?.string != nil
        case .generic:
            return Self.allCases.contains { $0 != .generic && $0.isEnvelope(json) } || json["error"]?.string != nil
        }
    }

    static func openAIShape(_ json: JSONValue) -> Bool {
        guard let error = json["error"], case .object = error else { return false }
        // Cloudflare in front of OpenAI copies the shape with its own types
        // (`cf_bad_gateway`): the edge's answer.
        if error["type"]?.string?.hasPrefix("cf_") == true { return false }
        return error["message"] != nil || error["type"] != nil || error["code"] != nil
    }
}

/// The structured fields of an error answer in the provider's envelope
/// (`ErrorDialect`):
/// - OpenAI and OpenAI-compatible APIs (Groq, DeepSeek, OpenRouter, Together):
///   `{"error": {"message", "type", "code", "param", "metadata"}}`, `code` a
///   string or a number;
/// - Anthropic: `{"type": "error", "error": {"type", "message"}}`;
/// - Gemini: `{"error": {"code", "message", "status", "details": [...]}}` with
///   `google.rpc.ErrorInfo` (`reason`), `google.rpc.QuotaFailure`
///   (`violations[].quotaId`) and `google.rpc.RetryInfo` (`retryDelay`);
/// - Mistral: the same fields at the top level (`{"object": "error", "type",
///   "code", "message"}`) or only `{"message"}`;
/// - xAI: a bare JSON string, or `{"code", "error"}`.
/// Classification reads these fields; a message is read only where a
/// dialect has no structured field for the cause, and then only with the
/// dialect (Anthropic's low-credit 400 and spend cap with their type, xAI's
/// exhausted credit, Mistral's capacity refusal).
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

    /// The fields of an answer in the dialect's envelope; nil when the body is
    /// not in it (the edge answered).
    public static func read(_ body: [UInt8], dialect: ErrorDialect) -> ProviderError? {
        guard let first = body.first(where: { $0 > 32 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "\""),
              let json = try? JSONValue.parse(body) else { return nil }
        if case .string(let text) = json {
            // xAI's bare string; no other API answers with one.
            guard dialect == .xai || dialect == .generic else { return nil }
            var e = ProviderError()
            e.message = text
            return e
        }
        guard dialect.isEnvelope(json) else { return nil }
        return fields(of: json)
    }

    static func fields(of json: JSONValue) -> ProviderError {
        // Nested under `error` (OpenAI, Anthropic, Gemini) or at the top (Mistral, xAI's object).
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
        e.message = fields["message"]?.string ?? json["error"]?.string
        for detail in fields["details"]?.array ?? [] {
            let kind = detail["@type"]?.string ?? ""
            if let reason = detail["reason"]?.string { e.reasons.append(reason) }
            if kind.hasSuffix("google.rpc.QuotaFailure") || detail["violations"] != nil {
                let ids = (detail["violations"]?.array ?? []).compactMap { $0["quotaId"]?.string }
                e.quotaIDs = (e.quotaIDs ?? []) + ids
            }
            if let delay = detail["retryDelay"]?.string.flatMap(protobufDuration) { e.retryDelay = delay }
        }
        return e
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
    /// exhausted (README, "Checks, results and state"), and by which rule.
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

    /// A refusal of where the request comes from: OpenAI's
    /// `unsupported_country_region_territory`, Gemini's `FAILED_PRECONDITION`
    /// (the API is not served in the caller's region), or 451.
    func locationRefusal(status: Int) -> String? {
        if code == "unsupported_country_region_territory" { return "error.code \"unsupported_country_region_territory\" (location refused)" }
        if self.status == "FAILED_PRECONDITION" { return "error.status \"FAILED_PRECONDITION\" (location refused)" }
        if status == 451 { return "451 unavailable for legal reasons (location refused)" }
        return nil
    }

    /// xAI reports exhausted credit or a reached monthly spending limit only in
    /// words, as a bare string on a 429 (or 403).
    func creditExhaustion(dialect: ErrorDialect) -> String? {
        guard dialect == .xai || dialect == .generic, let text = message?.lowercased() else { return nil }
        for phrase in Self.xaiCreditPhrases where text.contains(phrase) {
            return "xAI's answer saying \"\(phrase)\""
        }
        return nil
    }

    static let xaiCreditPhrases = ["used all available credits", "reached its monthly spending limit"]

    /// xAI reports an invalid key as a 400 whose string says so (sometimes
    /// URL-encoded): the key, not the request.
    func invalidKey(dialect: ErrorDialect) -> String? {
        guard dialect == .xai || dialect == .generic, let text = message?.lowercased() else { return nil }
        let said = text.contains("incorrect api key") || text.contains("incorrect%20api%20key")
        return said ? "xAI's answer saying \"incorrect API key\"" : nil
    }

    /// Mistral refuses requests when its service tier is out of capacity (type
    /// `invalid_request_error`, on 429 and 503): the provider's capacity, not
    /// our rate limit.
    func capacityRefusal(dialect: ErrorDialect) -> String? {
        guard dialect == .mistral || dialect == .generic, let text = message?.lowercased() else { return nil }
        for phrase in Self.mistralCapacityPhrases where text.contains(phrase) {
            return "Mistral's answer saying \"\(phrase)\" (the provider's capacity)"
        }
        return nil
    }

    static let mistralCapacityPhrases = ["service tier capacity exceeded"]

    /// How an edge answer looks, for the debug report: HTML, JSON, text, empty.
    static func describeForm(_ body: [UInt8]) -> String {
        guard let first = body.first(where: { $0 > 32 }) else { return "empty" }
        switch first {
        case UInt8(ascii: "<"): return "HTML"
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""): return "JSON"
        default: return "plain text"
        }
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
