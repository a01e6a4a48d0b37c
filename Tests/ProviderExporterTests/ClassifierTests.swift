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
        Classifier.classify(r, expect: expect, bodyProblem: bodyProblem)?.0
    }

    /// The recorded error bodies of shared/fixtures/errors with their status.
    @Test(arguments: [
        ("anthropic-400-invalid_request_error", 400, ProbeResult.http_error),
        ("anthropic-401-authentication_error", 401, .auth_error),
        ("anthropic-404-not_found_error", 404, .http_error),
        ("anthropic-529-overloaded_error", 529, .overloaded),
        ("gemini-404-not_found", 404, .http_error),
        ("gemini-429-resource_exhausted", 429, .rate_limited),
        ("groq-404-model_not_found", 404, .http_error),
        ("openai-400-invalid_image_url", 400, .http_error),
        ("openai-401-invalid_api_key", 401, .auth_error),
        ("openai-404-model_not_found", 404, .http_error),
        ("openrouter-401", 401, .auth_error),
    ])
    func recordedErrors(file: String, status: Int, expected: ProbeResult) throws {
        let body = String(decoding: try fixture("errors/\(file).json"), as: UTF8.self)
        #expect(Self.classify(Self.response(status, body)) == expected)
    }

    /// synthetic: bodies built from the schemas in PROVIDERS.md (no recording exists).
    @Test(arguments: [
        (429, #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#, ProbeResult.quota_exhausted),
        (429, #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#, .rate_limited),
        (429, #"{"type":"error","error":{"type":"rate_limit_error","message":"enforced_spend_limit_reached"}}"#, .quota_exhausted),
        (400, #"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}"#, .auth_error),
        (402, #"{"error":{"message":"Insufficient credits","code":402}}"#, .quota_exhausted),
        (403, #"{"error":{"status":"PERMISSION_DENIED"}}"#, .auth_error),
        (503, #"{"error":{"code":"server_is_overloaded"}}"#, .overloaded),
        (500, #"{"type":"error","error":{"type":"api_error"}}"#, .server_error),
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
        let (_, text) = try #require(Classifier.classify(Self.response(401, body), expect: StatusMatcher(), bodyProblem: nil))
        #expect(text == "HTTP 401: invalid_api_key")
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

    @Test func retryAfterLongerThanTheIntervalPostpones() {
        var s = Schedule(provider: "p", check: "c", interval: 10, backoffMax: 0)
        let due = s.slot(atOrAfter: 1000)
        #expect(s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 45).at == due + 46)
        #expect(s.next(due: due, finished: due + 1, succeeded: false, providerDown: false, retryAfter: 5).at == due + 10)
    }
}
