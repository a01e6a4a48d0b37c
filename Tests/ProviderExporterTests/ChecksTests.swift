import Foundation
import Testing
@testable import ProviderExporter

@Suite(.serialized) struct ChecksTests {
    static func provider(_ fake: FakeProvider, pagination: ModelListPagination = .none) throws -> ProviderConfig {
        var p = try stateConfig("""
        providers:
          - name: gw
            preset: openai_compatible
            base_url: \(fake.baseURL)/v1
            api_key_env: OPENAI_API_KEY
            checks: [{name: models, type: models, expect_model: wanted}]
        """).providers[0]
        p.pagination = pagination
        return p
    }

    @Test func modelsFollowsPaginationUntilTheModelIsListed() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models?limit=1000", .json(200, #"{"data":[{"id":"a"}],"has_more":true,"last_id":"a b"}"#))
        fake.set("/v1/models?limit=1000&after_id=a%20b", .json(200, #"{"data":[{"id":"wanted"}],"has_more":false}"#))
        let p = try Self.provider(fake, pagination: .afterID(param: "after_id", limit: 1000))
        let outcome = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 10)
        #expect(outcome?.result == .success)
        #expect(fake.requests.count == 2)
        #expect(fake.requests.allSatisfy { $0.headers["authorization"] == "Bearer test-key-openai-123" })
    }

    @Test func modelsGeminiPageTokensAndMissingModel() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models?pageSize=1000", .json(200, #"{"models":[{"name":"models/x"}],"nextPageToken":"t1"}"#))
        fake.set("/v1/models?pageSize=1000&pageToken=t1", .json(200, #"{"models":[{"name":"models/wanted"}]}"#))
        let p = try Self.provider(fake, pagination: .pageToken(pageSize: 1000))
        let found = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 10)
        #expect(found?.result == .success, "\(String(describing: found)); requests: \(fake.requests.map(\.path))")
        // Without the model anywhere: invalid_response naming it.
        fake.set("/v1/models?pageSize=1000&pageToken=t1", .json(200, #"{"models":[]}"#))
        let missing = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 10)
        #expect(missing?.result == .invalid_response && missing?.error == "model wanted is not listed")
    }

    @Test(arguments: [
        ("{\"data\":[{\"id\":\"wanted\"}]}", ProbeResult.success),
        ("{\"models\":[{\"name\":\"models/wanted\"}]}", .success),
        ("{\"data\":[{\"id\":\"other\"}]}", .invalid_response),
        ("<html>maintenance</html>", .invalid_response),
        ("{\"object\":\"list\"}", .invalid_response),
    ])
    func modelsBodies(body: String, expected: ProbeResult) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(200, body))
        let p = try Self.provider(fake)
        #expect(await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 10)?.result == expected)
    }

    /// The recorded model lists in Fixtures/models.
    @Test(arguments: [("openai.json", "text-search-babbage-doc-001"), ("gemini.json", "gemini-2.5-flash"),
                      ("openrouter.json", "anthropic/claude-sonnet-4")])
    func recordedModelLists(file: String, model: String) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", FakeProvider.Script(body: try fixture("models/" + file)))
        var p = try Self.provider(fake)
        p.checks[0].kind = .models(expectModel: model)
        #expect(await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)?.result == .success)
        p.checks[0].kind = .models(expectModel: "no-such-model")
        #expect(await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)?.result == .invalid_response)
    }

    @Test func httpCheckSendsMethodBodyAndMatchesTheBody() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/health", .json(200, #"{"status":"ok"}"#))
        let config = try stateConfig("""
        providers:
          - name: gw
            base_url: \(fake.baseURL)
            secret_headers_env: {X-Org-Key: ORG_KEY}
            api_key_env: OPENAI_API_KEY
            checks:
              - {name: post, type: http, url: '\(fake.baseURL)/health', method: POST, body: '{"ping":1}', expect_body: '"status":\\s*"ok"'}
              - {name: strict, type: http, url: '\(fake.baseURL)/health', expect_body: 'degraded'}
              - {name: created, type: http, url: '\(fake.baseURL)/health', expect_status: [201]}
        """)
        let p = config.providers[0]
        let results = await [p.checks[0], p.checks[1], p.checks[2]].asyncMap {
            await Checks.make($0, provider: p).run(using: testClient, timeout: 10)?.result
        }
        #expect(results == [.success, .invalid_response, .http_error])
        let seen = try #require(fake.requests.first)
        #expect(seen.method == "POST" && String(decoding: seen.body, as: UTF8.self) == #"{"ping":1}"#)
        // http checks carry the provider's secret headers, never its API key.
        #expect(seen.headers["x-org-key"] == "test-org-secret-456" && seen.headers["authorization"] == nil)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var out: [T] = []
        for e in self { out.append(await transform(e)) }
        return out
    }
}

@Suite(.serialized) struct SchedulerLimitTests {
    @Test func maxConcurrentProbesIsRespectedAndReloadCancelsProbes() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/hang", FakeProvider.Script(hang: true))
        let checks = (1...5).map { "{name: c\($0), type: http, url: '\(fake.baseURL)/hang'}" }.joined(separator: ", ")
        let config = try stateConfig("""
        global: {interval: 5m, timeout: 2m, max_concurrent_probes: 2}
        providers:
          - name: gw
            checks: [\(checks)]
        """)
        let store = StateStore()
        let clock = ManualClock(1_000_000)
        let scheduler = Scheduler(client: testClient, store: store, clock: clock, logger: quietLogger)
        store.apply(config)
        scheduler.apply(config)
        defer { scheduler.stop() }
        #expect(await eventually { store.snapshot.providers[0].checks.allSatisfy { $0.nextProbeAt != nil } })
        clock.advance(to: 1_000_000 + 300) // every check is due
        #expect(await eventually { fake.requests.count == 2 })
        // The other three wait for a permit: no third request went out.
        var waiting = 0
        for _ in 0..<3000 where waiting < 3 {
            waiting = await scheduler.runner.waitingForPermit()
            if waiting < 3 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(waiting == 3)
        #expect(fake.requests.count == 2)
        #expect(store.snapshot.inFlight == 2)

        // A reload cancels the hanging probes (which would run for 2 minutes,
        // past `eventually`'s bound); nothing is recorded for them.
        scheduler.apply(config)
        #expect(await eventually { store.snapshot.inFlight == 0 })
        #expect(store.snapshot.providers[0].checks.allSatisfy { $0.lastResult == nil })
    }
}

/// Error texts carry parts of the provider's answer; a gateway that echoes the
/// key must not get it into a metric label, the API or a log line.
@Suite struct RedactionTests {
    let key = Secret("fake-0123456789abcdefghij")

    @Test func wordsSharingEightCharactersWithASecretAreReplaced() {
        let r = Redaction([key, Secret("org-secret-value")])
        #expect(r.apply("HTTP 401: fake-0123456789abcdefghij") == "HTTP 401: <secret>")
        // A prefix, a suffix, inside a URL, next to other text.
        #expect(r.apply("HTTP 401: fake-0123") == "HTTP 401: <secret>")
        #expect(r.apply("to https://x.test/?key=zzcdefghij (not followed)") == "to https://x.test/?<secret> (not followed)")
        #expect(r.apply("value org-secret-value, code 7") == "value <secret>, code 7")
        // Seven characters in common are not enough; ordinary words stay.
        #expect(r.apply("HTTP 429: rate_limit_exceeded fake-01") == "HTTP 429: rate_limit_exceeded fake-01")
    }

    @Test func hostileTextsAreHandled() {
        let r = Redaction([key, Secret(""), Secret("abc"), Secret("four")])
        #expect(r.apply("") == "")
        #expect(r.apply("four") == "<secret>" && r.apply("fourteen") == "fourteen" && r.apply("abc") == "abc")
        #expect(r.apply("é😀 fake-0123456789 ✓") == "é😀 <secret> ✓")
        let long = String(repeating: "a", count: 100_000)
        #expect(r.apply(long) == long)
        #expect(Redaction([]).apply("fake-0123456789abcdefghij") == "fake-0123456789abcdefghij")
    }
}
