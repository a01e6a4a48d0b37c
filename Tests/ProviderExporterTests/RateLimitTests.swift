import Testing
@testable import ProviderExporter

@Suite struct RateLimitTests {
    static let now = 1_000_000.0
    typealias W = RateLimitWindow

    static func parse(_ headers: [(String, String)]) -> RateLimits {
        RateLimitParser.parse(headers.map { (name: $0.0, value: $0.1) }, now: now)
    }

    /// Recorded responses (fixtures) and what they must yield.
    @Test(arguments: [
        ("openai-1.txt", [RateLimitResource.requests: W(limit: 100, remaining: 98, reset: now + 864),
                          .tokens: W(limit: 150_000, remaining: 149_977, reset: now + 0.009)], nil),
        ("openai-2.txt", [.requests: W(limit: 10_000, remaining: 9_999, reset: now + 0.006),
                          .tokens: W(limit: 30_000_000, remaining: 29_999_634, reset: now)], nil),
        ("groq-2.txt", [.requests: W(limit: 14_400, remaining: 14_399, reset: now + 6),
                        .tokens: W(limit: 6_000, remaining: 5_987, reset: now + 0.13)], nil),
        ("anthropic-1.txt", [.requests: W(limit: 5, remaining: 1, reset: 1_717_526_397),
                             .tokens: W(limit: 10_000, remaining: 10_000, reset: 1_717_526_397)], nil),
        ("anthropic-2.txt", [.requests: W(limit: 50, remaining: 49, reset: 1_764_177_166),
                             .tokens: W(limit: 38_000, remaining: 38_000, reset: 1_764_177_167),
                             .input_tokens: W(limit: 30_000, remaining: 30_000, reset: 1_764_177_167),
                             .output_tokens: W(limit: 8_000, remaining: 8_000, reset: 1_764_177_171)], 13),
        ("together-1.txt", [.requests: W(limit: 2, remaining: 1, reset: now + 2)], nil),
        // No dialect: the series are absent, not zero.
        ("deepseek-1.txt", [:], nil),
        ("openrouter-1.txt", [:], nil),
        ("cohere-1.txt", [:], nil),
        ("huggingface-1.txt", [:], 15),
    ] as [(String, [RateLimitResource: W], Double?)])
    func recorded(file: String, windows: [RateLimitResource: W], retryAfter: Double?) throws {
        let response = try RecordedResponse("ratelimit-headers/" + file)
        let parsed = RateLimitParser.parse(response.headers, now: Self.now)
        #expect(parsed.windows.keys.sorted() == windows.keys.sorted())
        for (resource, expected) in windows {
            let got = parsed.windows[resource]
            #expect(got?.limit == expected.limit && got?.remaining == expected.remaining, "\(resource)")
            #expect(abs((got?.reset ?? -1) - (expected.reset ?? -1)) < 1e-6, "\(resource) reset \(String(describing: got?.reset))")
        }
        #expect(parsed.retryAfter == retryAfter)
    }

    /// synthetic: dialects without a recording, built from the providers' documented headers.
    @Test func ietfStructuredFields() {
        let r = Self.parse([("RateLimit-Policy", "\"default\";q=100;w=60"), ("RateLimit", "\"default\";r=50;t=30")])
        #expect(r.windows == [.requests: W(limit: 100, remaining: 50, reset: Self.now + 30)])
    }

    /// synthetic: members are paired by name, not by position; the most
    /// constrained window is exported; `RateLimit` alone gives remaining and reset.
    @Test func ietfMembersPairByName() {
        let r = Self.parse([("RateLimit-Policy", "\"burst\";q=10;w=1, \"daily\";q=1000;w=86400"),
                            ("RateLimit", "\"daily\";r=50;t=3600, \"burst\";r=9;t=1")])
        // daily has 5% left, burst 90%: daily is the constraint, with its own quota.
        #expect(r.windows == [.requests: W(limit: 1000, remaining: 50, reset: Self.now + 3600)])
        let alone = Self.parse([("RateLimit", "\"default\";r=7;t=20")])
        #expect(alone.windows == [.requests: W(limit: nil, remaining: 7, reset: Self.now + 20)])
        let unnamedPolicy = Self.parse([("RateLimit-Policy", "\"other\";q=100"), ("RateLimit", "\"default\";r=7")])
        #expect(unnamedPolicy.windows == [.requests: W(limit: nil, remaining: 7, reset: nil)])
    }

    /// synthetic
    @Test func ietfOlderTrio() {
        let r = Self.parse([("RateLimit-Limit", "60"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "12")])
        #expect(r.windows == [.requests: W(limit: 60, remaining: 0, reset: Self.now + 12)])
    }

    /// synthetic: GitHub style epoch seconds, and OpenRouter's milliseconds on a 429.
    @Test func epochResets() {
        let seconds = Self.parse([("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "4999"), ("X-RateLimit-Reset", "1700000000")])
        #expect(seconds.windows[.requests] == W(limit: 5000, remaining: 4999, reset: 1_700_000_000))
        let millis = Self.parse([("X-RateLimit-Limit", "20"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1700000000500")])
        #expect(millis.windows[.requests]?.reset == 1_700_000_000.5)
    }

    /// synthetic: both Mistral generations and Together's token headers.
    @Test func mistralAndTogetherTokens() {
        let recent = Self.parse([("x-ratelimit-limit-req-10-second", "30"), ("x-ratelimit-remaining-req-10-second", "29"),
                                 ("x-ratelimit-limit-tokens-minute", "500000"), ("x-ratelimit-remaining-tokens-minute", "499000"),
                                 ("x-ratelimit-limit-tokens-month", "1000000000"), ("x-ratelimit-remaining-tokens-month", "999000000"),
                                 ("x-ratelimit-tokens-query-cost", "1000")])
        #expect(recent.windows == [.requests: W(limit: 30, remaining: 29), .tokens: W(limit: 500_000, remaining: 499_000),
                                   .tokens_month: W(limit: 1e9, remaining: 999_000_000)])
        let older = Self.parse([("ratelimitbysize-limit", "500000"), ("ratelimitbysize-remaining", "400000"), ("ratelimitbysize-reset", "40"),
                                ("x-ratelimitbysize-limit-month", "1000000000"), ("x-ratelimitbysize-remaining-month", "5")])
        #expect(older.windows == [.tokens: W(limit: 500_000, remaining: 400_000, reset: Self.now + 40),
                                  .tokens_month: W(limit: 1e9, remaining: 5)])
        let together = Self.parse([("x-tokenlimit-limit", "100000"), ("x-tokenlimit-remaining", "99000")])
        #expect(together.windows == [.tokens: W(limit: 100_000, remaining: 99_000)])
    }

    @Test(arguments: [("120", 120.0), ("0", 0.0), ("Thu, 01 Jan 1970 11:46:50 GMT", 0.0),
                      ("Thu, 01 Jan 1970 11:46:55 GMT", 5.0), ("Thu, 01 Jan 1970 10:00:00 GMT", 0.0)] as [(String, Double)])
    func retryAfter(value: String, seconds: Double) {
        // "now" is 1970-01-01T11:46:50Z; an HTTP date in the past means retry at once.
        let r = RateLimitParser.parse([("Retry-After", value)], now: 42_410)
        #expect(r.retryAfter == seconds)
    }

    @Test(arguments: ["-1", "-5", "abc", "1e400", "NaN", "inf", "", "12abc", "99999999999999999999", "0x10", " "])
    func malformedValuesAreIgnored(value: String) {
        let r = Self.parse([("x-ratelimit-limit-requests", value), ("x-ratelimit-remaining-requests", value),
                            ("x-ratelimit-reset-requests", value), ("anthropic-ratelimit-tokens-reset", value),
                            ("retry-after", value), ("RateLimit-Policy", value), ("RateLimit", value)])
        #expect(r.windows.isEmpty, "\(r.windows)")
        #expect(r.retryAfter == nil)
    }

    @Test(arguments: [("6m0s", 360.0), ("2m59.56s", 179.56), ("7.66s", 7.66), ("120ms", 0.12), ("1h2m3s", 3723.0),
                      ("7", 7.0), ("500us", 0.0005)] as [(String, Double)])
    func goDurations(text: String, seconds: Double) {
        #expect(abs(RateLimitParser.goDuration(text)! - seconds) < 1e-9)
    }

    @Test(arguments: ["2025-02-24T22:25:30Z", "2025-02-24T23:25:30+01:00", "2025-02-24T22:25:30.000Z"])
    func rfc3339(text: String) {
        #expect(Dates.rfc3339(text) == 1_740_435_930)
    }

    @Test(arguments: ["2025-02-24", "2025-13-01T00:00:00Z", "2025-02-24T22:25:30", "garbage", "2025-02-24T22:25:30Zjunk"])
    func badDates(text: String) {
        #expect(Dates.rfc3339(text) == nil)
    }
}
