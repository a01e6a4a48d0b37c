import Foundation
import Synchronization
import Testing
@testable import ProviderExporter

@Suite struct StatusPageDecoderTests {
    static let now = 1_795_000_000.0 // 2026-11-18

    /// The exposition a provider with only this page state produces: the
    /// status-page families and provider_state.
    static func series(_ state: StatusPageState, format: StatusPageFormat, components: [String]? = nil, max: Int = 50) throws -> [UInt8] {
        var yaml = "providers:\n  - name: p\n    status_page: {url: 'http://127.0.0.1:9', format: \(format.rawValue)"
        if format == .google_cloud { yaml += ", products: ['Vertex Gemini API']" }
        if let components { yaml += ", components: [" + components.map { "'\($0)'" }.joined(separator: ", ") + "]" }
        yaml += ", max_components: \(max)}\n"
        let store = StateStore()
        store.apply(try stateConfig(yaml))
        _ = store.recordStatusPage(provider: "p", outcome: .ok(state), finishedAt: 1_795_000_000)
        let names: Set<String> = ["provider_status_page_up", "provider_status_indicator", "provider_component_status",
                                  "provider_incidents", "provider_incident_started_timestamp_seconds",
                                  "provider_maintenances_active", "provider_status_page_fetches_total", "provider_state"]
        return familiesNamed(names, in: Exposition(state: store.view).encode(.text))
    }

    @Test(arguments: [
        ("statuspage/github-summary-2022-11-25-major-incident.json", nil, "status-github.txt"),
        ("statuspage/claude-summary-2026-10-07-major-incident-monitoring.json", nil, "status-claude.txt"),
        ("incidentio/openai-summary-compat-2026-07-09-operational.json", nil, "status-openai-incidentio.txt"),
        ("synthetic/statuspage-critical-maintenance.json", nil, "status-synthetic-critical.txt"),
        ("synthetic/incidentio-summary-no-components.json", "synthetic/incidentio-components.json", "status-synthetic-incidentio.txt"),
    ] as [(String, String?, String)])
    func statuspageGolden(summary: String, components: String?, golden: String) throws {
        let state = try StatuspageDecoder.decode(summary: try fixture(summary), components: try components.map(fixture))
        try expectGolden(try Self.series(state, format: .statuspage), golden)
    }

    @Test func betterStackGolden() throws {
        let state = try BetterStackDecoder.decode(try fixture("synthetic/betterstack-index.json"), now: Self.now)
        try expectGolden(try Self.series(state, format: .betterstack), "status-synthetic-betterstack.txt")
    }

    @Test func googleCloudGolden() throws {
        let state = try GoogleCloudDecoder.decode(try fixture("synthetic/google-cloud-incidents.json"), products: ["Vertex Gemini API"])
        try expectGolden(try Self.series(state, format: .google_cloud), "status-synthetic-google-cloud.txt")
    }

    @Test func groupsCollisionsUnknownValuesAndTimes() throws {
        let state = try StatuspageDecoder.decode(summary: try fixture("synthetic/statuspage-critical-maintenance.json"))
        #expect(state.components.map(\.label) == ["API / Chat", "API / Embeddings", "Dashboard #c3", "Dashboard #c4", "Console", "Batch \"jobs\""])
        #expect(state.components.last?.status == .degraded_performance)
        #expect(state.unknownValues == ["component status flaky"])
        #expect(state.incidents.map(\.id) == ["inc1", "inc2"])
        #expect(state.incidents[0].started == Dates.rfc3339("2026-11-20T09:31:00.000Z"))
        #expect(state.incidents[1].started == Dates.rfc3339("2026-11-20T08:00:00.000Z")) // created_at
        #expect(state.incidents[0].latestUpdateID == "u2")
        #expect(state.maintenancesActive == 1)
    }

    @Test func maintenancesOfTheRecordedScheduledMaintenancesPage() throws {
        // That document is not a summary (no status), but its items are the
        // summary's scheduled_maintenances: both are completed, none active.
        let document = try fixture("statuspage/claude-scheduled-maintenances-2026-09-15.json")
        #expect(throws: StatusPageError(path: "status", message: "missing")) { try StatuspageDecoder.decode(summary: document) }
        let items = String(decoding: document, as: UTF8.self)
        let wrapped = #"{"status":{"indicator":"none"},"scheduled_maintenances":"# + items.components(separatedBy: "\"scheduled_maintenances\":")[1]
        let state = try StatuspageDecoder.decode(summary: Array(wrapped.utf8))
        #expect(state.maintenancesActive == 0)
        let active = wrapped.replacingOccurrences(of: "\"status\": \"completed\"", with: "\"status\": \"in_progress\"")
        #expect(try StatuspageDecoder.decode(summary: Array(active.utf8)).maintenancesActive == 2)
    }

    @Test func componentFilterAndCap() throws {
        let state = try StatuspageDecoder.decode(summary: try fixture("statuspage/github-summary-2022-11-25-major-incident.json"))
        let filtered = String(decoding: try Self.series(state, format: .statuspage, components: ["API Requests", "Packages"]), as: UTF8.self)
        #expect(filtered.contains("component=\"API Requests\"") && filtered.contains("component=\"Packages\""))
        #expect(!filtered.contains("component=\"Webhooks\""))
        let capped = String(decoding: try Self.series(state, format: .statuspage, max: 3), as: UTF8.self)
        #expect(Set(capped.components(separatedBy: "\n").filter { $0.hasPrefix("provider_component_status{") }
            .map { $0.components(separatedBy: "component=\"")[1].components(separatedBy: "\"")[0] }).count == 3)
    }

    /// With `components:`, only incidents that list a watched component (or
    /// none) count, and their worst impact replaces the page-wide indicator in
    /// the state rules. The recorded Claude page: a major incident on the
    /// Console, indicator minor.
    @Test func componentFilterFiltersIncidents() throws {
        let state = try StatuspageDecoder.decode(summary: try fixture("statuspage/claude-summary-2026-10-07-major-incident-monitoring.json"))
        #expect(state.incidents.count == 1 && state.incidents[0].components.contains("Claude Console (platform.claude.com)"))
        let api = String(decoding: try Self.series(state, format: .statuspage, components: ["Claude API (api.anthropic.com)"]), as: UTF8.self)
        #expect(api.contains("provider_incidents{impact=\"major\",provider=\"p\"} 0\n"), "\(api)")
        #expect(!api.contains("provider_incident_started_timestamp_seconds{"))
        #expect(api.contains("provider_state{provider=\"p\",state=\"healthy\"} 1\n"))
        // The page-wide indicator is still what the page says.
        #expect(api.contains("provider_status_indicator{indicator=\"minor\",provider=\"p\"} 1\n"))
        let console = String(decoding: try Self.series(state, format: .statuspage, components: ["Claude Console (platform.claude.com)"]), as: UTF8.self)
        #expect(console.contains("provider_incidents{impact=\"major\",provider=\"p\"} 1\n"))
        #expect(console.contains("provider_state{provider=\"p\",state=\"degraded\"} 1\n"))
        // An incident that lists no component counts for any filter; a critical one means down.
        var bare = state
        bare.incidents[0].components = []
        bare.incidents[0].impact = .critical
        let unlisted = String(decoding: try Self.series(bare, format: .statuspage, components: ["Claude API (api.anthropic.com)"]), as: UTF8.self)
        #expect(unlisted.contains("provider_incidents{impact=\"critical\",provider=\"p\"} 1\n"))
        #expect(unlisted.contains("provider_state{provider=\"p\",state=\"down\"} 1\n"))
    }

    /// Hostile payloads fail with a path or a reason, never a crash.
    @Test(arguments: [
        ("{\"status\":{\"indicator\":\"none\"},\"components\":[{\"id\":\"a\",\"name\":\"x\",\"sta", "body is not valid JSON"),
        ("<!DOCTYPE html><html><body>We'll be back</body></html>", "body is an HTML page, not JSON"),
        ("{}", "status: missing"),
        ("[]", "expected an object"),
        ("{\"status\":{\"indicator\":5}}", "status.indicator: expected a string"),
        ("{\"status\":{\"indicator\":\"none\"},\"components\":[{\"id\":\"a\",\"name\":\"x\",\"status\":7}]}", "components[0].status: expected a string"),
        ("{\"status\":{\"indicator\":\"none\"},\"components\":{\"a\":1}}", "components: expected an array"),
        ("{\"status\":{\"indicator\":\"none\"},\"incidents\":[{\"name\":\"x\",\"status\":\"investigating\"}]}", "incidents[0].id: missing"),
        ("", "body is not valid JSON"),
    ])
    func hostileStatuspage(body: String, expected: String) {
        do {
            _ = try StatuspageDecoder.decode(summary: Array(body.utf8))
            Issue.record("a hostile payload decoded")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test(arguments: ["{}", "[1]", "{\"data\":{\"attributes\":{}}}", "not json", "[{\"id\":1,\"affected_products\":7}]"])
    func hostileOtherFormats(body: String) {
        #expect((try? BetterStackDecoder.decode(Array(body.utf8), now: Self.now)) == nil)
        #expect((try? GoogleCloudDecoder.decode(Array(body.utf8), products: ["x"])) == nil)
        #expect((try? DatadogDecoder.decode(Array(body.utf8))) == nil)
    }

    /// recorded: OpenRouter's Datadog `config.json` (2026-09-15, every
    /// incident resolved): seven components, group members labelled
    /// `Group / Name`, no open incident, indicator none.
    @Test func datadogRecordedOperationalPage() throws {
        let state = try DatadogDecoder.decode(try fixture("datadog/openrouter-config-2026-09-15.json"))
        #expect(state.indicator == .none && state.incidents.isEmpty && state.maintenancesActive == 0 && state.unknownValues.isEmpty)
        #expect(state.components.map(\.label) == [
            "API - Gateway / Chat (/api/v1/chat/completions)", "API - Gateway / Video (/api/v1/videos)",
            "API - Gateway / Image (/api/v1/image)", "API - Gateway / TTS (/api/v1/audio/speech)",
            "API - Gateway / STT (/api/v1/audio/transcriptions)", "API - Gateway / Embeddings (/api/v1/embeddings)",
            "Web & Application Services"])
        #expect(state.components.allSatisfy { $0.status == .operational })
    }

    /// synthetic (from the recorded page): one incident reopened and escalated,
    /// a member in a major outage and a component degraded. The incident's
    /// impact is its newest timeline entry's worst component; the indicator
    /// the worst component.
    @Test func datadogOpenIncident() throws {
        let state = try DatadogDecoder.decode(try fixture("synthetic/datadog-open-incident.json"))
        #expect(state.indicator == .critical)
        #expect(state.components.first { $0.name == "Web & Application Services" }?.status == .degraded_performance)
        #expect(state.components.first { $0.name.hasPrefix("Chat") }?.status == .major_outage)
        let incident = try #require(state.incidents.first)
        #expect(state.incidents.count == 1)
        #expect(incident.id == "a80f04f9-7b2a-4094-bd45-e42dd5c2ed8a" && incident.name == "Elevated 429s on Anthropic and OpenAI")
        #expect(incident.impact == .critical && incident.status == "identified" && incident.latestUpdateID == "synthetic-update-2")
        #expect(incident.started == Dates.rfc3339("2026-08-28T02:15:00Z"))
        #expect(incident.components == ["9fb5ccff-e128-455a-be20-59572f8d363a", "Chat (/api/v1/chat/completions)"])
    }

    @Test(arguments: [
        (#"{"components":[]}"#, "components: no component"),
        (#"{"components":[{"id":"a","name":"x","type":"Component","status":"operational"}],"incidents":[{"id":"i","title":"t"}]}"#,
         "incidents[0].resolved: expected true or false"),
        (#"{"components":[{"id":"a","name":"x","type":"Component"}]}"#, "components[0].status: missing"),
        (#"{"components":[{"id":"g","name":"G","type":"ComponentGroup","components":7}]}"#, "components[0].components: expected an array"),
    ])
    func hostileDatadog(body: String, expected: String) {
        do {
            _ = try DatadogDecoder.decode(Array(body.utf8))
            Issue.record("a hostile payload decoded")
        } catch {
            #expect(error.description == expected)
        }
    }
}

@Suite(.serialized) struct StatusPageStateTests {
    static let yaml = """
    providers:
      - name: api
        preset: openai_compatible
        base_url: http://127.0.0.1:9/v1
        status_page: {url: 'http://127.0.0.1:9', format: statuspage}
    """

    static func state(_ indicator: StatusIndicator, incidents: [PageIncident] = []) -> StatusPageState {
        StatusPageState(indicator: indicator, components: [PageComponent(id: "1", name: "API", label: "API", status: .operational)],
                        incidents: incidents, maintenancesActive: 0)
    }

    @Test func aPageDegradesAProviderWithAPIChecksButNeverDownsIt() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        store.record(provider: "api", check: "models", outcome: ProbeOutcome(result: .success, status: 200, duration: 0.1), finishedAt: 1)
        #expect(store.provider(named: "api")?.health == .healthy)
        _ = store.recordStatusPage(provider: "api", outcome: .ok(Self.state(.critical)), finishedAt: 2)
        #expect(store.provider(named: "api")?.health == .degraded)
        _ = store.recordStatusPage(provider: "api", outcome: .ok(Self.state(.none)), finishedAt: 3)
        #expect(store.provider(named: "api")?.health == .healthy)
    }

    @Test func incidentsAreLoggedAsNewOncePerProcessEvenAcrossReloads() throws {
        let store = StateStore()
        store.apply(try stateConfig(Self.yaml))
        let incident = PageIncident(id: "i1", name: "x", impact: .minor, status: "investigating", started: 1, latestUpdateID: "u1")
        let first = store.recordStatusPage(provider: "api", outcome: .ok(Self.state(.minor, incidents: [incident])), finishedAt: 1)
        #expect(first.changes.map(\.kind) == [.new])
        // A reload that changes the page URL starts its record afresh ...
        store.apply(try stateConfig(Self.yaml.replacingOccurrences(of: "127.0.0.1:9'", with: "127.0.0.1:10'")))
        let again = store.recordStatusPage(provider: "api", outcome: .ok(Self.state(.minor, incidents: [incident])), finishedAt: 2)
        // ... but the incident was already announced in this process.
        #expect(again.changes.isEmpty)
    }

    /// Pages are read up to 16 MiB (Google Cloud's incidents.json holds its whole
    /// history); beyond that, an error, not a crash.
    @Test func pagesUpTo16MiBAreReadAndLargerOnesAreAnError() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let provider = try stateConfig("providers:\n  - {name: p, status_page: {url: '\(fake.baseURL)', format: statuspage}}\n").providers[0]
        // 10 MB: over the 4 MiB API-check limit, inside the page limit.
        let summary = Array(#"{"status":{"indicator":"none"},"components":[{"id":"a","name":"API","status":"operational"}],"incidents":[]}"#.utf8)
        fake.set("/api/v2/summary.json", FakeProvider.Script(body: summary + Array(repeating: UInt8(ascii: " "), count: 10 << 20)))
        let read = await StatusPageFetcher(page: provider.statusPage!, provider: provider).fetch(using: testClient, timeout: 5, clock: ManualClock(0))
        guard case .ok? = read else { Issue.record("\(String(describing: read))"); return }
        fake.set("/api/v2/summary.json", FakeProvider.Script(body: Array(repeating: UInt8(ascii: " "), count: 17 << 20)))
        let outcome = await StatusPageFetcher(page: provider.statusPage!, provider: provider).fetch(using: testClient, timeout: 5, clock: ManualClock(0))
        guard case .error(let text)? = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(text.hasSuffix("/api/v2/summary.json: body over 16 MiB"))
    }

    /// `follow_redirects: false` on a page: a redirect is an error, not followed.
    @Test func pagesFollowRedirectsUnlessTurnedOff() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/old/api/v2/summary.json", FakeProvider.Script(status: 301, headers: [("Location", "/new/api/v2/summary.json")]))
        fake.set("/new/api/v2/summary.json", FakeProvider.Script(body: Array(#"{"status":{"indicator":"minor"},"components":[{"id":"a","name":"API","status":"operational"}],"incidents":[]}"#.utf8)))
        for (follow, ok) in [(true, true), (false, false)] {
            let provider = try stateConfig("providers:\n  - {name: p, status_page: {url: '\(fake.baseURL)/old', format: statuspage, follow_redirects: \(follow)}}\n").providers[0]
            let outcome = await StatusPageFetcher(page: provider.statusPage!, provider: provider).fetch(using: testClient, timeout: 5, clock: ManualClock(0))
            switch outcome {
            case .ok(let state)?: #expect(ok && state.indicator == .minor)
            case .error(let text)?: #expect(!ok && text.contains("HTTP 301"), "\(text)")
            default: Issue.record("\(String(describing: outcome))")
            }
        }
    }
}

@Suite(.serialized) struct StatusPageSequenceTests {
    static func page(indicator: String, incidents: String) -> String {
        """
        {"status":{"indicator":"\(indicator)"},
         "components":[{"id":"c1","name":"API","status":"\(indicator == "none" ? "operational" : "partial_outage")"}],
         "incidents":[\(incidents)],"scheduled_maintenances":[]}
        """
    }

    static func incident(status: String, update: String) -> String {
        #"{"id":"inc1","name":"Errors on API","status":"\#(status)","impact":"major","created_at":"2026-11-20T07:00:00Z","incident_updates":[{"id":"\#(update)","status":"\#(status)","created_at":"2026-11-20T07:30:00Z"}]}"#
    }

    @Test func metricsAndLogsFollowTheSequence() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let config = try stateConfig("""
        global: {interval: 10s, timeout: 2s}
        providers:
          - name: acme
            status_page: {url: '\(fake.baseURL)', format: statuspage}
        """)
        let run = ScheduledRun(config)
        let (store, clock, scheduler) = (run.store, run.clock, run.scheduler)
        defer { scheduler.stop() }

        func step(_ body: String?, etag: String, html: Bool = false) async throws -> [String: Double] {
            if let body {
                var script = FakeProvider.Script.json(200, body)
                if html { script.headers = [("Content-Type", "text/html")] }
                script.etag = etag
                fake.set("/api/v2/summary.json", script)
            }
            let before = store.provider(named: "acme")?.statusPage?.fetches.values.reduce(0, +) ?? 0
            #expect(await eventually { clock.earliestSleeper != nil })
            clock.advance(to: try #require(clock.earliestSleeper))
            #expect(await eventually { (store.provider(named: "acme")?.statusPage?.fetches.values.reduce(0, +) ?? 0) == before + 1 })
            return samples(exposition(store))
        }
        let incident = #"provider_incident_started_timestamp_seconds{impact="major",incident_id="inc1",name="Errors on API",provider="acme",status="#

        var m = try await step(Self.page(indicator: "none", incidents: ""), etag: "\"a\"")
        #expect(m["provider_status_page_up{provider=\"acme\"}"] == 1 && m["provider_state{provider=\"acme\",state=\"healthy\"}"] == 1)
        #expect(m["provider_incidents{impact=\"major\",provider=\"acme\"}"] == 0)

        m = try await step(nil, etag: "\"a\"") // unchanged: a 304
        #expect(fake.requests.last?.headers["if-none-match"] == "\"a\"")
        #expect(m["provider_status_page_fetches_total{provider=\"acme\",result=\"not_modified\"}"] == 1)
        #expect(m["provider_status_page_up{provider=\"acme\"}"] == 1)

        m = try await step(Self.page(indicator: "major", incidents: Self.incident(status: "investigating", update: "u1")), etag: "\"b\"")
        #expect(m[incident + "\"investigating\"}"] != nil && m["provider_incidents{impact=\"major\",provider=\"acme\"}"] == 1)
        #expect(m["provider_state{provider=\"acme\",state=\"degraded\"}"] == 1)

        m = try await step(Self.page(indicator: "major", incidents: Self.incident(status: "identified", update: "u2")), etag: "\"c\"")
        #expect(m[incident + "\"investigating\"}"] == nil && m[incident + "\"identified\"}"] != nil)

        m = try await step(Self.page(indicator: "major", incidents: Self.incident(status: "identified", update: "u3")), etag: "\"d\"")

        // A broken page: up 0, an error count, the last good series kept.
        m = try await step("<html>oops</html>", etag: "\"e\"", html: true)
        #expect(m["provider_status_page_up{provider=\"acme\"}"] == 0)
        #expect(m["provider_status_page_fetches_total{provider=\"acme\",result=\"error\"}"] == 1)
        #expect(m[incident + "\"identified\"}"] != nil)

        m = try await step(Self.page(indicator: "none", incidents: ""), etag: "\"f\"")
        #expect(m[incident + "\"identified\"}"] == nil && m["provider_incidents{impact=\"major\",provider=\"acme\"}"] == 0)
        #expect(m["provider_state{provider=\"acme\",state=\"healthy\"}"] == 1)

        let log = run.log.all
        func count(_ text: String) -> Int { log.filter { $0.contains(text) }.count }
        #expect(count("msg=\"new incident\" provider=acme incident_id=inc1") == 1)
        #expect(count("msg=\"incident status changed\" provider=acme incident_id=inc1") == 1)
        #expect(count("msg=\"incident updated\" provider=acme incident_id=inc1") == 1)
        #expect(count("msg=\"incident resolved\" provider=acme incident_id=inc1") == 1)
        #expect(count("msg=\"status page fetch failed; keeping its last state\" provider=acme") == 1)
        #expect(log.contains { $0.contains("status page fetch failed") && $0.contains("body is an HTML page, not JSON") })
    }
}

/// One provider per format, served by the fake server,
/// through the real exporter's /metrics and /api/v1/providers.
@Suite(.serialized) struct StatusPageExporterTests {
    @Test func onePagePerFormatYieldsTheGoldenSeries() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/atlassian/api/v2/summary.json", FakeProvider.Script(body: try fixture("statuspage/claude-summary-2026-10-07-major-incident-monitoring.json")))
        fake.set("/incidentio/api/v2/summary.json", FakeProvider.Script(body: try fixture("synthetic/incidentio-summary-no-components.json")))
        fake.set("/incidentio/api/v2/components.json", FakeProvider.Script(body: try fixture("synthetic/incidentio-components.json")))
        fake.set("/betterstack/index.json", FakeProvider.Script(body: try fixture("synthetic/betterstack-index.json")))
        fake.set("/google/incidents.json", FakeProvider.Script(body: try fixture("synthetic/google-cloud-incidents.json")))
        fake.set("/datadog/config.json", FakeProvider.Script(body: try fixture("synthetic/datadog-open-incident.json")))
        fake.set("/xai/feed.xml", FakeProvider.Script(body: try fixture("synthetic/rss-xai-open-incident.xml")))
        fake.set("/flashduty/api/status-page/1/summary/active", FakeProvider.Script(body: try fixture("synthetic/flashduty-open-incident.json")))
        let yaml = """
        providers:
          - {name: atlassian, status_page: {url: '\(fake.baseURL)/atlassian', format: statuspage}}
          - {name: incidentio, status_page: {url: '\(fake.baseURL)/incidentio', format: statuspage}}
          - {name: betterstack, status_page: {url: '\(fake.baseURL)/betterstack', format: betterstack}}
          - {name: google, status_page: {url: '\(fake.baseURL)/google', format: google_cloud, products: ['Vertex Gemini API']}}
          - {name: datadog, status_page: {url: '\(fake.baseURL)/datadog', format: datadog}}
          - {name: rss, status_page: {url: '\(fake.baseURL)/xai/feed.xml', format: rss}}
          - {name: flashduty, status_page: {url: '\(fake.baseURL)/flashduty/api/status-page/1', format: flashduty}}

        """
        var options = Options()
        options.listenAddress = ListenAddress(host: "127.0.0.1", port: 0)
        let config = try ConfigStore(source: .file("pages.yml"), environment: ConfigEnvironment(variable: { _ in nil }, readFile: { _ in Array(yaml.utf8) }),
                                     logger: quietLogger)
        let clock = ManualClock(1_795_000_000)
        let exporter = try Exporter(options: options, config: config, logger: quietLogger, clock: clock)
        exporter.start()
        defer { exporter.stop(timeout: 2) }
        // All seven first runs fall within 15 s of start: once the scheduler
        // sleeps toward the first, move past them all.
        #expect(await eventually { clock.earliestSleeper != nil })
        clock.advance(to: 1_795_000_000 + 15)
        #expect(await eventually {
            exporter.store.snapshot.providers.allSatisfy { ($0.statusPage?.fetches[.ok] ?? 0) == 1 }
        })
        let port = exporter.server.boundPort
        let (metrics, api) = try await offPool { () -> (String, String) in
            // The scrape cache may still hold a render from before the fetches
            // (for up to a second): wait for the one that shows all seven.
            let client = try RawClient(port: port)
            var metrics = ""
            for _ in 0..<150 {
                metrics = try client.get("/metrics").text
                if metrics.components(separatedBy: "result=\"ok\"} 1\n").count - 1 == 7 { break }
                usleep(20_000)
            }
            return (metrics, try client.get("/api/v1/providers").text)
        }
        let statusFamilies = ["provider_status_page_up", "provider_status_indicator", "provider_component_status",
                              "provider_incidents{", "provider_incident_started_timestamp_seconds", "provider_maintenances_active",
                              "provider_status_page_fetches_total", "provider_state{"]
        let kept = metrics.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !line.hasPrefix("#") && statusFamilies.contains { line.hasPrefix($0) }
        }
        try expectGolden(Array((kept.joined(separator: "\n") + "\n").utf8), "status-exporter-every-format.txt")
        #expect(api.contains(#""incidents":[{"id":"rep1","name":"Inference API down","impact":"major","status":"downtime""#))
    }
}
