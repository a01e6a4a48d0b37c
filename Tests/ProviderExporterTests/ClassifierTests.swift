import Testing
@testable import ProviderExporter

@Suite struct ClassifierTests {
    static func response(_ status: Int, _ body: String = "", error: TransportError? = nil) -> ClientResponse {
        var r = ClientResponse()
        r.status = status
        r.body = Array(body.utf8)
        r.error = error
        return r
    }

    static func classify(_ r: ClientResponse, expect: StatusMatcher = StatusMatcher(), bodyProblem: String? = nil) -> ProbeResult? {
        Classifier.classify(r, expect: expect, bodyProblem: bodyProblem)?.result
    }

    /// One cell of the (provider, cause) table: a body (`.json`, or an edge's
    /// `.html`/`.txt`), the status it came with, the result it must get, whose
    /// answer it is (the API's, in the provider's envelope, or the edge's) and,
    /// where the body carries one, the retry hint. The provider is the file
    /// name's first word (after `error-`/`edge-`); its dialect reads the body.
    /// `recorded` bodies come from the real services (provenance in
    /// Fixtures/NOTES.md); `synthetic/` ones are built from the documented
    /// schema where no recording was found.
    struct Cell: Sendable, CustomTestStringConvertible {
        var file: String
        var status: Int
        var expected: ProbeResult
        var retryHint: Double? = nil
        var testDescription: String { "\(file) (\(status)) -> \(expected.rawValue)" }

        var name: String { String(file.split(separator: "/").last!) }
        var provider: String {
            let words = name.split(separator: "-")
            return String(words[0] == "error" || words[0] == "edge" ? words[1] : words[0])
        }
        var dialect: ErrorDialect { ErrorDialect(preset: provider) }
        var fromTheEdge: Bool { file.hasPrefix("edge-recorded/") || name.hasPrefix("edge-") }
    }

    static let table: [Cell] = [
        // OpenAI
        Cell(file: "errors/openai-401-invalid_api_key", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/openai-429-rate_limit_exceeded", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/openai-429-requests_per_day", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/openai-429-insufficient_quota", status: 429, expected: .quota_exhausted),
        Cell(file: "errors-recorded/openai-503-overloaded", status: 503, expected: .overloaded),
        Cell(file: "errors-recorded/openai-403-unsupported_country_region_territory", status: 403, expected: .blocked),
        Cell(file: "errors-recorded/openai-400-unsupported_parameter", status: 400, expected: .request_error),
        Cell(file: "errors/openai-400-invalid_image_url", status: 400, expected: .request_error),
        Cell(file: "errors/openai-404-model_not_found", status: 404, expected: .request_error),
        Cell(file: "edge-recorded/openai-502-cloudflare", status: 502, expected: .server_error),
        Cell(file: "edge-recorded/openai-502-cf_bad_gateway", status: 502, expected: .server_error),
        Cell(file: "edge-recorded/openai-503-cf_service_unavailable", status: 503, expected: .overloaded),
        Cell(file: "edge-recorded/openai-429-come_back_later", status: 429, expected: .overloaded),
        Cell(file: "synthetic/edge-openai-429-nginx", status: 429, expected: .overloaded),
        // Anthropic
        Cell(file: "errors/anthropic-401-authentication_error", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/anthropic-429-rate_limit_error", status: 429, expected: .rate_limited),
        Cell(file: "errors/anthropic-529-overloaded_error", status: 529, expected: .overloaded),
        Cell(file: "errors-recorded/anthropic-500-api_error", status: 500, expected: .server_error),
        Cell(file: "errors-recorded/anthropic-400-credit_balance_too_low", status: 400, expected: .quota_exhausted),
        Cell(file: "synthetic/error-anthropic-402-billing_error", status: 402, expected: .quota_exhausted),
        Cell(file: "synthetic/error-anthropic-429-spend_limit", status: 429, expected: .quota_exhausted),
        Cell(file: "errors/anthropic-400-invalid_request_error", status: 400, expected: .request_error),
        Cell(file: "errors/anthropic-404-not_found_error", status: 404, expected: .request_error),
        Cell(file: "errors-recorded/anthropic-404-not_found_error-retired_model", status: 404, expected: .request_error),
        Cell(file: "edge-recorded/anthropic-503-envoy", status: 503, expected: .overloaded),
        Cell(file: "edge-recorded/anthropic-503-proxy_json", status: 503, expected: .overloaded),
        // Gemini
        Cell(file: "errors-recorded/gemini-400-api_key_invalid", status: 400, expected: .auth_error),
        Cell(file: "errors-recorded/gemini-400-failed_precondition", status: 400, expected: .blocked),
        Cell(file: "errors-recorded/gemini-429-per_minute", status: 429, expected: .rate_limited, retryHint: 26),
        Cell(file: "errors-recorded/gemini-429-per_day", status: 429, expected: .quota_exhausted, retryHint: 36),
        Cell(file: "synthetic/error-gemini-429-minute-and-day", status: 429, expected: .rate_limited, retryHint: 47),
        Cell(file: "errors/gemini-429-resource_exhausted", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/gemini-503-unavailable", status: 503, expected: .overloaded),
        Cell(file: "errors/gemini-404-not_found", status: 404, expected: .request_error),
        // OpenRouter
        Cell(file: "errors/openrouter-401", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/openrouter-402-insufficient_credits", status: 402, expected: .quota_exhausted),
        Cell(file: "errors-recorded/openrouter-429-rate_limited_upstream", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/openrouter-400-provider_returned_error", status: 400, expected: .request_error),
        Cell(file: "synthetic/error-openrouter-502-wrapped_quota", status: 502, expected: .server_error),
        // DeepSeek
        Cell(file: "errors-recorded/deepseek-401-authentication_fails", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/deepseek-402-insufficient_balance", status: 402, expected: .quota_exhausted),
        Cell(file: "synthetic/error-deepseek-429", status: 429, expected: .rate_limited),
        Cell(file: "synthetic/error-deepseek-503", status: 503, expected: .overloaded),
        // Groq
        Cell(file: "errors-recorded/groq-401-invalid_api_key", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/groq-429-rate_limit_exceeded", status: 429, expected: .rate_limited),
        Cell(file: "errors/groq-404-model_not_found", status: 404, expected: .request_error),
        // Mistral
        Cell(file: "errors-recorded/mistral-401-unauthorized", status: 401, expected: .auth_error),
        Cell(file: "errors-recorded/mistral-429-rate_limited", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/mistral-429-service_tier_capacity_exceeded", status: 429, expected: .overloaded),
        Cell(file: "errors-recorded/mistral-429-service_tier_capacity_exceeded", status: 503, expected: .overloaded),
        // Together
        Cell(file: "synthetic/error-together-429", status: 429, expected: .rate_limited),
        Cell(file: "errors-recorded/together-429-credit_limit", status: 429, expected: .rate_limited),
        // xAI
        Cell(file: "errors-recorded/xai-429-credits_exhausted", status: 429, expected: .quota_exhausted),
        Cell(file: "errors-recorded/xai-403-credits_exhausted", status: 403, expected: .quota_exhausted),
        Cell(file: "errors-recorded/xai-400-incorrect_api_key", status: 400, expected: .auth_error),
        Cell(file: "errors-recorded/xai-400-incorrect_api_key-object", status: 400, expected: .auth_error),
        // Any provider: a WAF's block page
        Cell(file: "edge-recorded/cloudflare-403-blocked", status: 403, expected: .blocked),
    ]

    /// The fixture of a cell, whichever extension it has.
    static func body(_ cell: Cell) throws -> String {
        for ext in ["json", "html", "txt"] {
            if let bytes = try? fixture("\(cell.file).\(ext)") { return String(decoding: bytes, as: UTF8.self) }
        }
        throw FixtureMissing(name: cell.file)
    }

    struct FixtureMissing: Error { var name: String }

    /// Every body of the table, classified with its status in its provider's
    /// dialect: the result, whose answer it was (in the rule the debug report
    /// shows), and the retry hint it carries (Gemini's RetryInfo).
    @Test(arguments: table)
    func providerCauseTable(cell: Cell) throws {
        let classified = try #require(Classifier.classify(Self.response(cell.status, try Self.body(cell)), expect: StatusMatcher(),
                                                          bodyProblem: nil, dialect: cell.dialect))
        #expect(classified.result == cell.expected)
        #expect(classified.retryHint == cell.retryHint)
        #expect(classified.rule.hasSuffix("-> \(cell.expected.rawValue)"))
        #expect(classified.rule.contains(cell.fromTheEdge ? "the edge's answer" : "the API's answer"), "\(classified.rule)")
    }

    /// Every recorded error file, and every synthetic error or edge body, is
    /// in the table, so a body added to the fixtures cannot be left untested.
    @Test func everyRecordedBodyIsInTheTable() throws {
        var names: [String] = []
        for folder in ["errors", "errors-recorded", "edge-recorded", "synthetic"] {
            let files = try fixtureNames(folder).filter { !$0.hasSuffix(".headers.txt") }
                .filter { folder != "synthetic" || $0.hasPrefix("error-") || $0.hasPrefix("edge-") }
            #expect(!files.isEmpty)
            names += files.map { "\(folder)/" + $0.split(separator: ".").first! }
        }
        for name in names { #expect(Self.table.contains { $0.file == name }, "\(name) has no cell") }
    }

    /// The new caller-side results, on today's classifier: the edge's 429 is
    /// load shedding, not our rate limit, in every dialect; a 403 page from a
    /// WAF is our location, not our key; the same 403 inside the provider's
    /// envelope is the key.
    @Test func theEdgeAnswersForTheAPI() throws {
        let nginx = try Self.body(Cell(file: "synthetic/edge-openai-429-nginx", status: 429, expected: .overloaded))
        for dialect in ErrorDialect.allCases {
            #expect(Classifier.classify(Self.response(429, nginx), expect: StatusMatcher(), bodyProblem: nil, dialect: dialect)?.result == .overloaded)
            #expect(Classifier.classify(Self.response(429, ""), expect: StatusMatcher(), bodyProblem: nil, dialect: dialect)?.result == .overloaded)
            #expect(Classifier.classify(Self.response(403, "<html>Access denied</html>"), expect: StatusMatcher(), bodyProblem: nil,
                                        dialect: dialect)?.result == .blocked)
            #expect(Classifier.classify(Self.response(451, ""), expect: StatusMatcher(), bodyProblem: nil, dialect: dialect)?.result == .blocked)
        }
        // JSON, but not Anthropic's envelope: the edge. In the envelope: the API.
        let proxy = #"{"error":{"message":"rate limited"}}"#
        #expect(Classifier.classify(Self.response(429, proxy), expect: StatusMatcher(), bodyProblem: nil, dialect: .anthropic)?.result == .overloaded)
        #expect(Classifier.classify(Self.response(429, proxy), expect: StatusMatcher(), bodyProblem: nil, dialect: .openai)?.result == .rate_limited)
        // A bare string is xAI's envelope only.
        let bare = #""too many requests""#
        #expect(Classifier.classify(Self.response(429, bare), expect: StatusMatcher(), bodyProblem: nil, dialect: .xai)?.result == .rate_limited)
        #expect(Classifier.classify(Self.response(429, bare), expect: StatusMatcher(), bodyProblem: nil, dialect: .openai)?.result == .overloaded)
        // A 403 in OpenAI's envelope is the key; a 401 from the edge says nothing of it.
        #expect(Classifier.classify(Self.response(403, #"{"error":{"code":"invalid_api_key"}}"#), expect: StatusMatcher(),
                                    bodyProblem: nil, dialect: .openai)?.result == .auth_error)
        #expect(Classifier.classify(Self.response(401, "<html>401</html>"), expect: StatusMatcher(), bodyProblem: nil,
                                    dialect: .openai)?.result == .http_error)
        // Mistral's capacity words decide only in Mistral's dialect; elsewhere a 429 is our limit.
        let capacity = #"{"object":"error","message":"Service tier capacity exceeded for this model.","type":"invalid_request_error"}"#
        #expect(Classifier.classify(Self.response(429, capacity), expect: StatusMatcher(), bodyProblem: nil, dialect: .mistral)?.result == .overloaded)
        // xAI's credit words decide only for xAI (and gateways); a rate limit message about credits elsewhere does not.
        let credits = #"{"error":{"message":"used all available credits","code":"rate_limit_exceeded"}}"#
        #expect(Classifier.classify(Self.response(429, credits), expect: StatusMatcher(), bodyProblem: nil, dialect: .openai)?.result == .rate_limited)
        // A refused request is ours unless expect_status covers it.
        let notFound = #"{"error":{"code":"model_not_found"}}"#
        #expect(Classifier.classify(Self.response(404, notFound), expect: StatusMatcher(), bodyProblem: nil, dialect: .openai)?.result == .request_error)
        #expect(Classifier.classify(Self.response(404, notFound), expect: StatusMatcher(codes: [], classes: [2, 4]), bodyProblem: nil,
                                    dialect: .openai)?.result == .success)
    }

    /// Quota words in a message never decide: the OpenAI rate limit that points
    /// at the billing page, and Gemini's per-minute 429 worded "exceeded your
    /// current quota ... billing details", stay rate limits.
    @Test func messagesMentioningQuotaOrBillingAreNotQuota() throws {
        for file in ["errors-recorded/openai-429-rate_limit_exceeded", "errors-recorded/gemini-429-per_minute"] {
            let text = String(decoding: try fixture("\(file).json"), as: UTF8.self)
            #expect(text.contains("billing"))
            #expect(Self.classify(Self.response(429, text)) == .rate_limited)
        }
        // A 429 that only says "quota" in free text, with no structured field.
        #expect(Self.classify(Self.response(429, #"{"error":{"message":"You exceeded your current quota, check billing"}}"#)) == .rate_limited)
        // Plain text is no provider's envelope: the edge shedding load, whatever it says.
        #expect(Self.classify(Self.response(429, "insufficient_quota")) == .overloaded)
    }

    /// synthetic: bodies built from the providers' documented error schemas (no recording exists).
    @Test(arguments: [
        (429, #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#, ProbeResult.quota_exhausted),
        (429, #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#, .rate_limited),
        (400, #"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}"#, .auth_error),
        (400, #"{"error":{"code":400,"message":"mentions API_KEY_INVALID in text only","status":"INVALID_ARGUMENT"}}"#, .request_error),
        (402, #"{"error":{"message":"Insufficient credits","code":402}}"#, .quota_exhausted),
        (403, #"{"error":{"status":"PERMISSION_DENIED"}}"#, .auth_error),
        (503, #"{"error":{"code":"server_is_overloaded"}}"#, .overloaded),
        (500, #"{"type":"error","error":{"type":"api_error"}}"#, .server_error),
        (500, #"{"type":"error","error":{"type":"overloaded_error"}}"#, .overloaded),
        (502, "<html>bad gateway</html>", .server_error),
        (302, "", .http_error),
        (200, "{}", .success),
        (204, "", .success),
    ] as [(Int, String, ProbeResult)])
    func statuses(status: Int, body: String, expected: ProbeResult) {
        #expect(Self.classify(Self.response(status, body)) == expected)
    }

    @Test func transportErrorsComeFirst() {
        #expect(Self.classify(Self.response(0, error: .timeout)) == .timeout)
        #expect(Self.classify(Self.response(0, error: .dns("x"))) == .dns_error)
        #expect(Self.classify(Self.response(0, error: .tls("x"))) == .tls_error)
        #expect(Self.classify(Self.response(0, error: .connect("x"))) == .connect_error)
        #expect(Self.classify(Self.response(302, error: .tooManyRedirects)) == .http_error)
        #expect(Classifier.classify(Self.response(0, error: .cancelled), expect: StatusMatcher(), bodyProblem: nil) == nil)
    }

    @Test func bodyProblemsAndSizeAreInvalidResponse() {
        #expect(Self.classify(Self.response(200), bodyProblem: "not JSON") == .invalid_response)
        var big = Self.response(200)
        big.bodyTooLarge = true
        #expect(Self.classify(big) == .invalid_response)
        // A server error outranks a body problem.
        #expect(Self.classify(Self.response(500), bodyProblem: "not JSON") == .server_error)
    }

    @Test func expectStatusDecidesWhatIsAnError() {
        let only201 = StatusMatcher(codes: [201], classes: [])
        #expect(Self.classify(Self.response(200), expect: only201) == .http_error)
        #expect(Self.classify(Self.response(201), expect: only201) == .success)
        // An explicitly expected 401 (a check that auth is enforced) is not an auth error.
        #expect(Self.classify(Self.response(401), expect: StatusMatcher(codes: [401], classes: [])) == .success)
    }

    @Test func errorTextsNameTheProviderCodeNotItsMessage() throws {
        let body = String(decoding: try fixture("errors/openai-401-invalid_api_key.json"), as: UTF8.self)
        let classified = try #require(Classifier.classify(Self.response(401, body), expect: StatusMatcher(), bodyProblem: nil))
        #expect(classified.error == "HTTP 401: invalid_api_key")
        let gemini = String(decoding: try fixture("errors-recorded/gemini-429-per_minute.json"), as: UTF8.self)
        let limited = try #require(Classifier.classify(Self.response(429, gemini), expect: StatusMatcher(), bodyProblem: nil))
        #expect(limited.error == "HTTP 429: RESOURCE_EXHAUSTED (GenerateContentInputTokensPerModelPerMinute-FreeTier)")
    }
}

@Suite struct ScheduleTests {
    @Test func offsetsAreStableAndInsideTheInterval() {
        let a = Schedule(provider: "openai", check: "models", interval: 60, backoffMax: 300)
        let b = Schedule(provider: "openai", check: "models", interval: 60, backoffMax: 300)
        let c = Schedule(provider: "openai", check: "chat", interval: 60, backoffMax: 300)
        #expect(a.offset == b.offset && a.offset != c.offset)
        for name in ["a", "b", "c", "d", "e"] {
            let s = Schedule(provider: name, check: "models", interval: 15, backoffMax: 0)
            #expect(s.offset >= 0 && s.offset < 15)
        }
    }

    @Test func firstRunComesWithinFifteenSecondsAtAStablePosition() {
        let slow = Schedule(provider: "p", check: "chat", interval: 300, backoffMax: 0)
        let first = slow.firstRun(after: 1000)
        #expect(first >= 1000 && first < 1015)
        #expect(first == Schedule(provider: "p", check: "chat", interval: 300, backoffMax: 0).firstRun(after: 1000))
        // After the first run, the grid.
        var s = slow
        let next = s.next(due: first, finished: first + 1, succeeded: true, providerDown: false, retryAfter: nil)
        #expect(next.at == s.slot(atOrAfter: first + 150))
    }

    @Test func slotsFollowTheGrid() {
        let s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        let first = s.slot(atOrAfter: 1_000_000)
        #expect(first >= 1_000_000 && first < 1_000_010)
        #expect(s.slot(atOrAfter: first) == first)
        #expect(s.slot(atOrAfter: first + 0.001) == first + 10)
    }

    @Test func normalProbeGoesToTheNextSlot() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 300)
        let due = s.slot(atOrAfter: 1000)
        let next = s.next(due: due, finished: due + 0.2, succeeded: true, providerDown: false, retryAfter: nil)
        #expect(next == .init(at: due + 10, overlapSkips: 0, backoffSkips: 0))
    }

    @Test func aProbeFinishingInstantlyStillWaitsForTheNextSlot() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        let due = s.slot(atOrAfter: 1000)
        #expect(s.next(due: due, finished: due, succeeded: true, providerDown: false, retryAfter: nil).at == due + 10)
    }

    @Test func aProbeThatWaitedPastSlotsSkipsThemAsOverlap() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        let due = s.slot(atOrAfter: 1000)
        // Waited for a permit, finished 25 s after its slot: two slots passed.
        let next = s.next(due: due, finished: due + 25, succeeded: true, providerDown: false, retryAfter: nil)
        #expect(next == .init(at: due + 30, overlapSkips: 2, backoffSkips: 0))
    }

    @Test func backoffDoublesWhileDownUpToTheCapAndResetsOnSuccess() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 60)
        var due = s.slot(atOrAfter: 1000)
        var gaps: [Double] = []
        var skips: [Int] = []
        for _ in 0..<5 {
            let next = s.next(due: due, finished: due + 1, succeeded: false, providerDown: true, retryAfter: nil)
            gaps.append(next.at - due)
            skips.append(next.backoffSkips)
            due = next.at
        }
        #expect(gaps == [20, 40, 60, 60, 60])
        #expect(skips == [1, 3, 5, 5, 5])
        let recovered = s.next(due: due, finished: due + 1, succeeded: true, providerDown: true, retryAfter: nil)
        #expect(recovered.at - due == 10)
        #expect(s.backoffLevel == 0)
    }

    @Test func failuresBeforeDownDoNotBackOffAndZeroDisables() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 60)
        let due = s.slot(atOrAfter: 1000)
        #expect(s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: nil).at == due + 10)
        var off = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        #expect(off.next(due: due, finished: due + 1, succeeded: false, providerDown: true, retryAfter: nil).at == due + 10)
    }

    /// After a retry hint: finish + max(interval, min(hint, backoff_max)),
    /// backoff_max read as 5 m when backoff is off.
    @Test func retryHintsAreHonouredButBounded() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        let due = s.slot(atOrAfter: 1000)
        let long = s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 45)
        // The hint's hold is the probe path's; the schedule holds only for backoff.
        #expect(long.at == due + 46 && !long.held)
        let short = s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 5)
        #expect(short.at == due + 11 && !short.held)
        // Retry-After: 3600 on a 503 holds the check 5 minutes at most with backoff off ...
        #expect(s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 3600).at == due + 301)
        // ... and backoff_max with it on.
        var b = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 120)
        #expect(b.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 3600).at == due + 121)
        // A 6 s hint on a 5 s interval, not in backoff: honoured.
        var fast = Schedule(provider: "p", check: "c", interval: 5, backoffMax: 60)
        let d = fast.slot(atOrAfter: 1000)
        #expect(fast.next(due: d, finished: d + 0.5, succeeded: false, providerDown: false, retryAfter: 6).at == d + 6.5)
        // In backoff, the later of the backed-off slot and the hint.
        var down = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 300)
        _ = down.next(due: due, finished: due + 1, succeeded: false, providerDown: true, retryAfter: nil)
        let backed = down.next(due: due, finished: due + 1, succeeded: false, providerDown: true, retryAfter: 6)
        #expect(backed.at == due + 40 && backed.held)
    }
}
