import Glibc

/// The resources of `provider_ratelimit_*{resource}` (README, "Metrics").
public enum RateLimitResource: String, Sendable, CaseIterable, Comparable {
    case requests, tokens, input_tokens, output_tokens, tokens_month

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One rate-limit window as a response reported it; each part may be absent.
public struct RateLimitWindow: Sendable, Equatable {
    public var limit: Double?
    public var remaining: Double?
    /// Unix time the window resets.
    public var reset: Double?

    public init(limit: Double? = nil, remaining: Double? = nil, reset: Double? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }
}

/// Everything rate-limit related in one response's headers.
public struct RateLimits: Sendable, Equatable {
    public var windows: [RateLimitResource: RateLimitWindow] = [:]
    /// The `Retry-After` hint in seconds from now.
    public var retryAfter: Double?

    public init(windows: [RateLimitResource: RateLimitWindow] = [:], retryAfter: Double? = nil) {
        self.windows = windows
        self.retryAfter = retryAfter
    }
}

/// Reads every rate-limit header dialect (README, "Metrics") from response headers: OpenAI/Groq (Go
/// durations), Anthropic (RFC 3339), Together (per second), Mistral (both
/// generations), GitHub style (epoch seconds or milliseconds), the IETF
/// `RateLimit`/`RateLimit-Policy` fields and the older `RateLimit-*` trio, and
/// `Retry-After` (seconds or HTTP-date). Resets become absolute Unix times.
/// A malformed, negative, `-1` or non-finite value is ignored, never exported.
public enum RateLimitParser {
    public static func parse(_ headers: [(name: String, value: String)], now: Double) -> RateLimits {
        var h: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if h[key] == nil { h[key] = Substring(value).trimmed() }
        }
        var result = RateLimits()
        func set(_ resource: RateLimitResource, limit: String?, remaining: String?, reset: Double?) {
            var w = result.windows[resource] ?? RateLimitWindow()
            if let v = limit.flatMap(count) { w.limit = v }
            if let v = remaining.flatMap(count) { w.remaining = v }
            if let reset { w.reset = reset }
            if w != RateLimitWindow() { result.windows[resource] = w }
        }

        // OpenAI, Groq, Azure: x-ratelimit-{limit,remaining,reset}-{requests,tokens}.
        for (suffix, resource) in [("requests", RateLimitResource.requests), ("tokens", .tokens)] {
            let reset = h["x-ratelimit-reset-\(suffix)"].flatMap(goDuration).map { now + $0 }
            set(resource, limit: h["x-ratelimit-limit-\(suffix)"], remaining: h["x-ratelimit-remaining-\(suffix)"], reset: reset)
        }
        // Anthropic.
        for (part, resource) in [("requests", RateLimitResource.requests), ("tokens", .tokens),
                                 ("input-tokens", .input_tokens), ("output-tokens", .output_tokens)] {
            let prefix = "anthropic-ratelimit-\(part)-"
            set(resource, limit: h[prefix + "limit"], remaining: h[prefix + "remaining"], reset: h[prefix + "reset"].flatMap(Dates.rfc3339))
        }
        // Together (requests, reset in seconds) and GitHub style (reset as an epoch).
        if h["x-ratelimit-limit"] != nil || h["x-ratelimit-remaining"] != nil {
            set(.requests, limit: h["x-ratelimit-limit"], remaining: h["x-ratelimit-remaining"],
                reset: h["x-ratelimit-reset"].flatMap { resetSeconds($0, now: now) })
        }
        set(.tokens, limit: h["x-tokenlimit-limit"], remaining: h["x-tokenlimit-remaining"], reset: nil)
        // Mistral, recent and older.
        set(.requests, limit: h["x-ratelimit-limit-req-10-second"], remaining: h["x-ratelimit-remaining-req-10-second"], reset: nil)
        set(.tokens, limit: h["x-ratelimit-limit-tokens-minute"], remaining: h["x-ratelimit-remaining-tokens-minute"], reset: nil)
        set(.tokens_month, limit: h["x-ratelimit-limit-tokens-month"], remaining: h["x-ratelimit-remaining-tokens-month"], reset: nil)
        set(.tokens, limit: h["ratelimitbysize-limit"], remaining: h["ratelimitbysize-remaining"],
            reset: h["ratelimitbysize-reset"].flatMap(count).map { now + $0 })
        set(.tokens, limit: h["x-ratelimitbysize-limit-minute"], remaining: h["x-ratelimitbysize-remaining-minute"], reset: nil)
        set(.tokens_month, limit: h["x-ratelimitbysize-limit-month"], remaining: h["x-ratelimitbysize-remaining-month"], reset: nil)
        // IETF draft: `RateLimit` members paired with `RateLimit-Policy` members of
        // the same name, then the older trio.
        if let window = h["ratelimit"].flatMap({ ietfWindow(state: $0, policy: h["ratelimit-policy"], now: now) }) {
            set(.requests, limit: window.limit.map { String($0) }, remaining: window.remaining.map { String($0) }, reset: window.reset)
        } else if h["ratelimit-limit"] != nil || h["ratelimit-remaining"] != nil {
            set(.requests, limit: h["ratelimit-limit"], remaining: h["ratelimit-remaining"],
                reset: h["ratelimit-reset"].flatMap(count).map { now + $0 })
        }
        result.retryAfter = h["retry-after"].flatMap { retryAfter($0, now: now) }
        return result
    }

    // MARK: Values

    /// A non-negative finite count; `-1` ("unknown") and garbage are nil.
    static func count(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }),
              let v = Double(text), v.isFinite, v >= 0, v < 1e15 else { return nil }
        return v
    }

    /// A Go duration (`6m0s`, `2m59.56s`, `120ms`, `1h2m`), or plain seconds (Azure's `7`).
    static func goDuration(_ text: String) -> Double? {
        if let plain = count(text) { return plain }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let v = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += v * unit.1
        }
        return total.isFinite && total < 1e9 ? total : nil
    }

    /// `x-ratelimit-reset` as GitHub (epoch seconds, above 1e9), OpenRouter (epoch
    /// milliseconds, above 1e12) or Together (seconds from now) send it.
    static func resetSeconds(_ text: String, now: Double) -> Double? {
        guard let v = count(text) else { return nil }
        if v > 1e12 { return v / 1000 }
        if v > 1e9 { return v }
        return now + v
    }

    static func retryAfter(_ text: String, now: Double) -> Double? {
        if let seconds = count(text) { return seconds }
        guard let date = Dates.httpDate(text) else { return nil }
        return max(0, date - now)
    }

    /// The IETF `RateLimit` field's most constrained member (lowest share of its
    /// quota left, or lowest `r` where no policy gives a quota), with `q` from the
    /// `RateLimit-Policy` member of the same name. `RateLimit` alone still gives
    /// remaining and reset.
    static func ietfWindow(state: String, policy: String?, now: Double) -> RateLimitWindow? {
        let quotas = Dictionary(structuredList(policy ?? "").compactMap { m in m.params["q"].flatMap(count).map { (m.name, $0) } },
                                uniquingKeysWith: { first, _ in first })
        var best: (window: RateLimitWindow, share: Double)?
        for member in structuredList(state) {
            guard let remaining = member.params["r"].flatMap(count) else { continue }
            let limit = quotas[member.name]
            let window = RateLimitWindow(limit: limit, remaining: remaining,
                                         reset: member.params["t"].flatMap(count).map { now + $0 })
            let share = limit.map { $0 > 0 ? remaining / $0 : 0 } ?? remaining
            if best == nil || share < best!.share { best = (window, share) }
        }
        return best?.window
    }

    /// The members of an IETF structured-field list, each a name (a string or
    /// token) with its parameters: `"default";r=50;t=30, "daily";r=900` ->
    /// [(default, [r: 50, t: 30]), (daily, [r: 900])].
    static func structuredList(_ text: String) -> [(name: String, params: [String: String])] {
        text.split(separator: ",").compactMap { member in
            let parts = member.split(separator: ";").map { $0.trimmed() }
            guard let first = parts.first, !first.isEmpty else { return nil }
            var name = first
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            var params: [String: String] = [:]
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1)
                if kv.count == 2, params[String(kv[0])] == nil { params[String(kv[0])] = String(kv[1]) }
            }
            return (name, params)
        }
    }
}
