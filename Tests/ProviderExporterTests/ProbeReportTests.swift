import Foundation
import Testing
@testable import ProviderExporter

/// `/probe?debug=true`: the report of a probe, for every result class, from
/// the recorded error bodies: the status, the deciding rule, and never key
/// material.
@Suite(.serialized) struct ProbeReportTests {
    static let key = "test-key-report-7c1f9a0d3e"

    /// One fixture answer per result class (recorded bodies where the class has one).
    static let cases: [(name: String, script: FakeProvider.Script?, result: ProbeResult, rule: String)] = [
        ("success", .json(200, #"{"object":"list","data":[{"id":"m"}]}"#, headers: [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "7"), ("x-ratelimit-reset-requests", "6s")]),
         .success, "200 is an expected status and the body passed"),
        ("auth", FakeProvider.Script(status: 401, body: try! fixture("errors/openai-401-invalid_api_key.json")), .auth_error, "401, the API's answer (in the openai error envelope), authentication refused -> auth_error"),
        ("quota", FakeProvider.Script(status: 429, body: try! fixture("errors-recorded/openai-429-insufficient_quota.json")), .quota_exhausted,
         #"429, the API's answer (in the openai error envelope), error.code "insufficient_quota" -> quota_exhausted"#),
        ("limited", FakeProvider.Script(status: 429, headers: [("Retry-After", "20")], body: try! fixture("errors-recorded/openai-429-rate_limit_exceeded.json")),
         .rate_limited, #"429, the API's answer (in the openai error envelope), "rate_limit_exceeded" is not a quota or billing error -> rate_limited"#),
        ("overloaded", FakeProvider.Script(status: 503, body: try! fixture("errors-recorded/openai-503-overloaded.json")), .overloaded, "503, the API's answer (in the openai error envelope), overloaded -> overloaded"),
        ("server", FakeProvider.Script(status: 500, body: Array(#"{"error":{"type":"api_error"}}"#.utf8)), .server_error, "500, the API's answer (in the openai error envelope), server error -> server_error"),
        ("missing", FakeProvider.Script(status: 404, body: try! fixture("errors/openai-404-model_not_found.json")), .request_error,
         "404, the API's answer (in the openai error envelope), the provider refuses this request (a retired or unknown model, a refused parameter): fix the check -> request_error"),
        ("edge", FakeProvider.Script(status: 502, headers: [("Content-Type", "text/html")], body: try! fixture("edge-recorded/openai-502-cloudflare.html")),
         .server_error, "502, the edge's answer (HTML, not in the openai error envelope), server error -> server_error"),
        ("region", FakeProvider.Script(status: 403, body: try! fixture("errors-recorded/openai-403-unsupported_country_region_territory.json")),
         .blocked, #"403, the API's answer (in the openai error envelope), error.code "unsupported_country_region_territory" (location refused) -> blocked"#),
        ("html", FakeProvider.Script(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html>maintenance</html>".utf8)),
         .invalid_response, "body check failed: body is not JSON"),
        ("hang", FakeProvider.Script(hang: true), .timeout, "no answer within the timeout"),
    ]

    @Test func everyResultClassHasAReportWithStatusRuleAndNoKey() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        var yaml = "global: {interval: 1h, timeout: 1s}\nproviders:\n"
        for c in Self.cases {
            if let script = c.script { fake.set("/\(c.name)/v1/models", script) }
            yaml += "  - {name: \(c.name), preset: openai, base_url: '\(fake.baseURL)/\(c.name)/v1', api_key_env: KEY}\n"
        }
        let config = try ConfigLoader.parse(yaml, fileName: "r.yml", environment: ConfigEnvironment(
            variable: { $0 == "KEY" ? Self.key : nil }, readFile: { _ in nil }))
        let store = StateStore()
        store.apply(config)
        let runner = ProbeRunner(client: testClient, store: store, clock: SystemClock(), logger: quietLogger)
        runner.apply(config)
        for (provider, c) in zip(config.providers, Self.cases) {
            _ = await runner.run(.check(provider, provider.checks[0]))
            let entry = try #require(runner.journal.latest(provider: c.name, check: "models"))
            let report = ProbeReport.render(entry)
            #expect(report.contains("result: \(c.result.rawValue)\n"), "\(c.name): \(report)")
            #expect(report.contains("rule: \(c.rule)"), "\(c.name): \(report)")
            #expect(report.contains("request 1: GET \(fake.baseURL)/\(c.name)/v1/models\n"), "\(c.name)")
            #expect(report.contains("  Authorization: <secret>\n"), "\(c.name)")
            #expect(!report.contains(Self.key.prefix(8)), "\(c.name) shows key material")
            #expect(report.contains("state: unknown -> degraded") || report.contains("state: unknown -> healthy"), "\(c.name)")
            #expect(report.contains("provider_last_result{check=\"models\",provider=\"\(c.name)\",result=\"\(c.result.rawValue)\"} 1"), "\(c.name)")
            #expect(report.contains("config:\n      - name: models\n        type: models\n"), "\(c.name)")
            if let script = c.script, !script.hang {
                #expect(report.contains("response: HTTP \(script.status)\n"), "\(c.name)")
            } else {
                #expect(report.contains("no response: timeout"), "\(c.name)")
            }
        }
        // The parsed rate-limit windows and the retry hint.
        let success = ProbeReport.render(try #require(runner.journal.latest(provider: "success", check: "models")))
        #expect(success.contains("  requests: limit 100, remaining 7, reset "))
        let limited = ProbeReport.render(try #require(runner.journal.latest(provider: "limited", check: "models")))
        #expect(limited.contains("retry hint: 20 s\n"))
        #expect(limited.contains("Rate limit reached for gpt-4o"), "the body's first 2 KiB are in the report")
        #expect(runner.journal.recent.count == Self.cases.count)
    }

    /// A gateway that echoes the key in its error body: the report redacts it,
    /// as the error text is.
    @Test func echoedKeysAreRedactedInTheBodyAndHeaders() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(401, #"{"error":{"message":"Incorrect API key provided: \#(Self.key)","code":"invalid_api_key"}}"#,
                                     headers: [("X-Echo", "Bearer \(Self.key)")]))
        let config = try ConfigLoader.parse("providers:\n  - {name: echo, preset: openai, base_url: '\(fake.baseURL)/v1', api_key_env: KEY}\n",
                                            fileName: "r.yml", environment: ConfigEnvironment(variable: { $0 == "KEY" ? Self.key : nil }, readFile: { _ in nil }))
        let store = StateStore()
        store.apply(config)
        let runner = ProbeRunner(client: testClient, store: store, clock: SystemClock(), logger: quietLogger)
        runner.apply(config)
        _ = await runner.run(.check(config.providers[0], config.providers[0].checks[0]))
        let report = ProbeReport.render(try #require(runner.journal.latest(provider: "echo", check: "models")))
        #expect(!report.contains(Self.key.prefix(8)), "\(report)")
        #expect(report.contains("Incorrect API key provided: <secret>"))
    }

    /// A status page's report: the conditional request, the 304, the parsed
    /// indicator, the components and the incidents that count.
    @Test func statusPageReportShowsTheFetch() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        var script = FakeProvider.Script(body: try fixture("statuspage/claude-summary-2026-10-07-major-incident-monitoring.json"))
        script.etag = "\"v1\""
        fake.set("/api/v2/summary.json", script)
        let config = try stateConfig("providers:\n  - {name: claude, status_page: {url: '\(fake.baseURL)', format: statuspage, components: ['Claude Console (platform.claude.com)']}}\n")
        let store = StateStore()
        store.apply(config)
        let runner = ProbeRunner(client: testClient, store: store, clock: SystemClock(), logger: quietLogger)
        runner.apply(config)
        let job = ProbeRunner.Job.page(config.providers[0], config.providers[0].statusPage!)
        _ = await runner.run(job)
        let first = ProbeReport.render(try #require(runner.journal.latest(provider: "claude", check: "status_page")))
        #expect(first.contains("result: ok\n") && first.contains("fetch: parsed"))
        #expect(first.contains("indicator: minor; level for the state rules: major"), "\(first)")
        #expect(first.contains("  Claude Console (platform.claude.com): degraded_performance"))
        #expect(first.contains("incidents counted (1):"))
        _ = await runner.run(job)
        let second = ProbeReport.render(try #require(runner.journal.latest(provider: "claude", check: "status_page")))
        #expect(second.contains("  If-None-Match: \"v1\"\n"), "\(second)")
        #expect(second.contains("response: HTTP 304") && second.contains("result: not_modified"))
    }

    /// The journal keeps the last 100 probes, newest first, and forgets checks
    /// that left the config.
    @Test func journalIsBounded() throws {
        let journal = ProbeJournal()
        let snapshot = ProviderRecord(config: try stateConfig(ForgettingStateTests.config).providers[0], checks: [])
        for i in 0..<250 {
            journal.append(ProbeJournal.Entry(id: 0, provider: i % 2 == 0 ? "a" : "b", check: "models", source: .scheduler,
                                              finishedAt: Double(i), duration: 0.1, result: "success", failed: false,
                                              stateBefore: .healthy, stateAfter: .healthy,
                                              detail: .api(ProbeOutcome(result: .success)), snapshot: snapshot))
        }
        let recent = journal.recent
        #expect(recent.count == ProbeJournal.capacity)
        #expect(recent.first?.id == 250 && recent.last?.id == 151)
        #expect(journal.entry(id: 150) == nil && journal.entry(id: 151) != nil)
        journal.retain { provider, _ in provider == "a" }
        #expect(journal.recent.count == 50 && journal.latest(provider: "b", check: "models") == nil)
    }
}
