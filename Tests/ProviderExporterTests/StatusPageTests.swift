import Foundation
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
        let families = ProviderCollector(store: store).collect().filter { names.contains($0.family.name) }
        return ExpositionEncoder.encode(families, format: .text)
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
        #expect(state.incidents[0].started == RateLimitParser.rfc3339("2026-11-20T09:31:00.000Z"))
        #expect(state.incidents[1].started == RateLimitParser.rfc3339("2026-11-20T08:00:00.000Z")) // created_at
        #expect(state.incidents[0].latestUpdateID == "u2")
        #expect(state.maintenancesActive == 1)
    }

    @Test func maintenancesOfTheRecordedScheduledMaintenancesPage() throws {
        // A scheduled-maintenances document has no status: it is not a summary.
        #expect(throws: StatusPageError(path: "status", message: "missing")) {
            try StatuspageDecoder.decode(summary: try fixture("statuspage/claude-scheduled-maintenances-2026-09-15.json"))
        }
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
    }
}
