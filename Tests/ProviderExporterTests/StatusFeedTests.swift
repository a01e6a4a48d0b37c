import Foundation
import Testing
@testable import ProviderExporter

/// The RSS format (xAI's incident feed) and its XML reader, and the FlashDuty
/// format (DeepSeek's page): recorded payloads, the open case made from them,
/// hostile bodies, and the fetch faults every format shares.
@Suite struct StatusFeedTests {
    /// recorded: xAI's feed on 2026-10-07, nineteen items, every one resolved.
    @Test func rssRecordedFeedIsQuiet() throws {
        let state = try RSSDecoder.decode(try fixture("rss/xai-feed-2026-10-07.xml"))
        #expect(state.indicator == .none && state.incidents.isEmpty && state.maintenancesActive == 0)
        #expect(state.components.isEmpty && state.unknownValues.isEmpty)
    }

    /// synthetic (from the recorded feed): the four items of one outage are one
    /// critical incident listing their four component tags; an open item whose
    /// severity is `available` is still a minor incident.
    @Test func rssOpenIncidents() throws {
        let state = try RSSDecoder.decode(try fixture("synthetic/rss-xai-open-incident.xml"))
        #expect(state.indicator == .critical && state.components.isEmpty && state.unknownValues.isEmpty)
        #expect(state.incidents.map(\.id) == ["ps_f64984fa7d669b08", "INC578e0bc8"])
        let voice = state.incidents[0], outage = state.incidents[1]
        #expect(voice.name == "Enterprise Voice Degraded" && voice.impact == .minor && voice.status == "investigating")
        #expect(voice.components == ["Voice"] && voice.started == Dates.rfc3339("2026-10-06T20:03:18Z"))
        #expect(outage.name == "Outages across API, Grok.com, and Grok Build" && outage.impact == .critical)
        #expect(outage.components == ["Global (api.x.ai)", "US (us.api.x.ai)", "Grok (Build)", "grok.com"])
        #expect(outage.started == Dates.rfc3339("2026-09-22T01:02:42Z") && outage.latestUpdateID != nil)
    }

    /// `components:` keeps the incidents that name a watched tag.
    @Test func rssIncidentsFollowTheComponentFilter() throws {
        let state = try RSSDecoder.decode(try fixture("synthetic/rss-xai-open-incident.xml"))
        var page = StatusPageRecord(config: StatusPageConfig(url: "http://127.0.0.1:9/feed.xml", format: .rss))
        page.config.components = ["Voice"]
        let (watched, _) = page.watched(state)
        #expect(watched.incidents.map(\.id) == ["ps_f64984fa7d669b08"])
        page.state = watched
        #expect(page.level == .minor && !page.meansDown)
    }

    /// The phase and severity come from the description when no category says them;
    /// an unknown phase is open (and logged); maintenance counts only once begun.
    @Test func rssPhasesFromDescriptionsAndMaintenance() throws {
        func item(_ title: String, _ guid: String, _ description: String, _ categories: [String] = []) -> String {
            "<item><title>\(title)</title><guid>\(guid)</guid><description><![CDATA[\(description)]]></description>"
                + categories.map { "<category>\($0)</category>" }.joined() + "<pubDate>Tue, 22 Sep 2026 01:02:42 +0200</pubDate></item>"
        }
        let feed = "<rss version=\"2.0\"><channel><title>t</title>"
            + item("[API] Errors", "a", "<h3>Status: Identified</h3><p>Severity: Disruption</p>")
            + item("Plain title", "b", "<h3>Status: Escalated</h3>")
            + item("[API] Upgrade", "c", "<p>x</p>", ["maintenance", "in_progress"])
            + item("[API] Later", "d", "", ["maintenance", "scheduled"])
            + item("[API] Over", "e", "Status: resolved")
            + "</channel></rss>"
        let state = try RSSDecoder.decode(Array(feed.utf8))
        #expect(state.incidents.map(\.id) == ["a", "b"] && state.maintenancesActive == 1)
        #expect(state.incidents[0].status == "identified" && state.incidents[0].impact == .major && state.incidents[0].components == ["API"])
        #expect(state.incidents[0].started == Dates.rfc3339("2026-09-21T23:02:42Z"))
        #expect(state.incidents[1].status == "escalated" && state.incidents[1].impact == .minor && state.incidents[1].components.isEmpty)
        #expect(state.unknownValues == ["incident status escalated"] && state.indicator == .major)
    }

    @Test(arguments: [
        ("", "body is not XML"),
        ("{\"data\":[]}", "body is JSON, not an XML feed"),
        ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">]><rss/>", "XML byte 0: a DOCTYPE is not read (no DTDs, no entities)"),
        ("<rss><channel><title>&lol;</title></channel></rss>", "XML byte 26: unknown entity &lol;"),
        ("<html><body>We'll be back</body></html>", "html: expected an RSS 2.0 feed (<rss><channel>), got an HTML page"),
        ("<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", "feed: expected an RSS 2.0 feed (<rss><channel>), got an Atom feed"),
        ("<rss><channel><item><title>x", "XML byte 28: document ends inside <title>"),
        ("<rss><channel></item></channel></rss>", "XML byte 21: </item> closes nothing open"),
        ("<rss><channel/></rss><rss/>", "XML byte 21: content after the root element"),
        ("<rss><channel><item><guid>a</guid></item></channel></rss>", "rss.channel.item[0].title: missing"),
        ("<rss><channel><item><title>t</title><description>quiet</description></item></channel></rss>",
         "rss.channel.item[0]: no phase (a <category> such as investigating or resolved, or a 'Status:' line)"),
        ("<rss a=b></rss>", "XML byte 7: expected a quoted value for attribute a"),
        (String(repeating: "<a>", count: 100), "XML byte 195: nested deeper than 64 elements"),
    ])
    func hostileRSS(body: String, expected: String) {
        do {
            _ = try RSSDecoder.decode(Array(body.utf8))
            Issue.record("a hostile feed decoded")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func xmlReaderTextEntitiesAndStructure() throws {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c --><r k='v &amp; w' j=\"&#x41;\"><a>1 &lt; 2 &#233;</a><b/><a><![CDATA[<p>&amp;</p>]]>x</a><?pi?></r>\n"
        let root = try XMLTree.parse(Array(xml.utf8)).root
        #expect(root.name == "r" && root.attribute("k") == "v & w" && root.attribute("j") == "A")
        #expect(root.all("a").map(\.text) == ["1 < 2 é", "<p>&amp;</p>x"] && root.first("b") != nil)
    }

    @Test func rfc822Dates() {
        #expect(Dates.rfc822("Wed, 07 Oct 2026 00:24:33 GMT") == Dates.rfc3339("2026-10-07T00:24:33Z"))
        #expect(Dates.rfc822("7 Oct 2026 00:24 -0130") == Dates.rfc3339("2026-10-07T01:54:00Z"))
        #expect(Dates.rfc822("Wed, 07 Oct 2026 00:24:33 PST") == nil && Dates.rfc822("yesterday") == nil)
    }

    /// recorded: DeepSeek's page with no open change: two components, operational.
    @Test func flashDutyRecordedPage() throws {
        let state = try FlashDutyDecoder.decode(try fixture("flashduty/deepseek-summary-active-2026-06.json"))
        #expect(state.indicator == .none && state.incidents.isEmpty && state.maintenancesActive == 0 && state.unknownValues.isEmpty)
        #expect(state.components.map(\.label) == ["API 服务 (API Service)", "网页对话服务 (Web Chat Service)"])
        #expect(state.components.allSatisfy { $0.status == .operational })
    }

    /// synthetic (recorded changes, one reopened): the open change sets each
    /// component's status and is a critical incident; the resolved one is ignored.
    @Test func flashDutyOpenIncident() throws {
        let state = try FlashDutyDecoder.decode(try fixture("synthetic/flashduty-open-incident.json"))
        #expect(state.indicator == .critical && state.unknownValues.isEmpty)
        #expect(state.components.map(\.status) == [.major_outage, .partial_outage])
        let incident = try #require(state.incidents.first)
        #expect(state.incidents.count == 1)
        #expect(incident.id == "6480608319287" && incident.name == "DeepSeek 网页端/API 不可用（DeepSeek WEB/API Unavailable）")
        #expect(incident.impact == .critical && incident.status == "identified" && incident.started == 1_779_606_301)
        #expect(incident.latestUpdateID == "01KSCDC2C9CJ9BA3XP0YYXF819")
        #expect(incident.components == ["01KR3NC9ETZYF436Z8YT1HM047", "API 服务 (API Service)",
                                        "01KR3NC9ETESRRQ4GABE0TGW53", "网页对话服务 (Web Chat Service)"])
    }

    @Test(arguments: [
        ("{}", "data: missing"),
        (#"{"data":{"page":{"components":[]}}}"#, "data.page.components: no component"),
        (#"{"data":{"page":{"components":[{"name":"API"}]}}}"#, "data.page.components[0].component_id: missing"),
        (#"{"data":{"page":{"components":[{"component_id":"a","name":"API"}]},"active_changes":[{"title":"t"}]}}"#,
         "data.active_changes[0].status: missing"),
        (#"{"data":{"page":{"components":[{"component_id":"a","name":"API"}]},"active_changes":[{"status":"investigating","change_id":1,"title":"t","affected_components":[{"component_id":"a"}]}]}}"#,
         "data.active_changes[0].affected_components[0].status: missing"),
        (#"{"data":{"page":{"components":[{"component_id":"a","name":"API"}]},"active_changes":[{"status":"investigating","change_id":1,"title":"t","start_at_seconds":"soon"}]}}"#,
         "data.active_changes[0].start_at_seconds: expected a number"),
        ("<html>blocked</html>", "body is an HTML page, not JSON"),
    ])
    func hostileFlashDuty(body: String, expected: String) {
        do {
            _ = try FlashDutyDecoder.decode(Array(body.utf8))
            Issue.record("a hostile payload decoded")
        } catch {
            #expect(error.description == expected)
        }
    }
}

/// The fetch faults of every format, through the real fetcher against a fake
/// server: a good body, a 304 on its ETag, an error status, an HTML page, a
/// truncated body, a reset connection. The previous state is the store's to
/// keep; the fetcher reports each as the outcome the state rules read.
@Suite(.serialized) struct StatusFeedFaultTests {
    static let cases: [(format: StatusPageFormat, path: String, document: String, fixture: String)] = [
        (.rss, "/feed.xml", "/feed.xml", "rss/xai-feed-2026-10-07.xml"),
        (.flashduty, "/api/status-page/1", "/api/status-page/1/summary/active", "flashduty/deepseek-summary-active-2026-06.json"),
        (.datadog, "", "/config.json", "datadog/openrouter-config-2026-09-15.json"),
    ]

    @Test(arguments: cases.indices)
    func faults(_ index: Int) async throws {
        let c = Self.cases[index]
        let fake = try FakeProvider()
        defer { fake.stop() }
        let provider = try stateConfig("providers:\n  - {name: p, status_page: {url: '\(fake.baseURL)\(c.path)', format: \(c.format.rawValue)}}\n").providers[0]
        let fetcher = StatusPageFetcher(page: provider.statusPage!, provider: provider)
        func fetch() async -> StatusPageOutcome? { await fetcher.fetch(using: testClient, timeout: 5, clock: ManualClock(0)) }
        let body = try fixture(c.fixture)
        var good = FakeProvider.Script(body: body)
        good.etag = "\"v1\""
        fake.set(c.document, good)

        guard case .ok? = await fetch() else { Issue.record("\(c.format): the recorded body did not decode"); return }
        let accept = fake.requests.last?.headers["accept"] ?? ""
        #expect(c.format == .rss ? accept.hasPrefix("application/rss+xml") : accept == "application/json")
        guard case .notModified? = await fetch() else { Issue.record("\(c.format): no 304 on the same ETag"); return }
        #expect(fake.requests.last?.headers["if-none-match"] == "\"v1\"")

        let faults: [(FakeProvider.Script, String)] = [
            (FakeProvider.Script.json(503, "{}"), "HTTP 503"),
            (FakeProvider.Script(headers: [("Content-Type", "text/html")], body: Array("<html><body>Just a moment...</body></html>".utf8)),
             c.format == .rss ? "got an HTML page" : "an HTML page, not JSON"),
            (FakeProvider.Script(body: Array(body.prefix(body.count / 2))), c.format == .rss ? "XML byte" : "not valid JSON"),
            (FakeProvider.Script(body: body, resetBeforeHead: true), c.document),
        ]
        for (script, expected) in faults {
            fake.set(c.document, script)
            guard case .error(let text)? = await fetch() else { Issue.record("\(c.format): \(expected) was not an error"); continue }
            #expect(text.contains(expected), "\(c.format): \(text)")
        }
        // After a bad body the cache is gone: the next fetch is a full one and reads the page again.
        fake.set(c.document, good)
        guard case .ok? = await fetch() else { Issue.record("\(c.format): no recovery"); return }
    }
}
