/// An RSS 2.0 incident feed (xAI's `status.x.ai/feed.xml`): one `<item>` per
/// incident and affected component, titled `[Component] Incident name`;
/// items sharing a `<guid>` are one incident. Its phase and severity are
/// `<category>` values (`investigating` ... `resolved`; `outage`,
/// `disruption`, `available`), or else the description's `Status:` and
/// `Severity:` lines. A feed carries no component states and no page level:
/// the decoder exports no component, and the level is the worst open
/// incident's impact. An item with no readable phase is an error (a changed
/// feed), never a quiet page.
enum RSSDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String { page.baseURL }

    static var accept: String { "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8" }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(main)
    }

    /// Phases after which an incident is over.
    static let closed: Set<String> = ["resolved", "completed", "postmortem", "closed"]
    /// Phases the decoder knows; any other is read as open (and logged), so a
    /// renamed phase never reads as resolved.
    static let phases: Set<String> = closed.union(["investigating", "identified", "monitoring", "update", "updated",
                                                   "scheduled", "in_progress", "verifying"])

    static func decode(_ body: [UInt8]) throws(StatusPageError) -> StatusPageState {
        let root = try XMLTree.parse(body).root
        guard root.name == "rss", let channel = root.first("channel") else {
            let what = root.name.lowercased() == "html" ? "an HTML page" : root.name == "feed" ? "an Atom feed" : "<\(root.name)>"
            throw StatusPageError(path: root.name, message: "expected an RSS 2.0 feed (<rss><channel>), got \(what)")
        }
        var unknown: [String] = []
        var order: [String] = []
        var open: [String: PageIncident] = [:]
        var maintenances: Set<String> = []
        for (k, item) in channel.all("item").enumerated() {
            let path = "rss.channel.item[\(k)]"
            guard let rawTitle = item.first("title")?.text.trimmed(" \t\r\n"), !rawTitle.isEmpty else {
                throw StatusPageError(path: path + ".title", message: "missing")
            }
            let (component, name) = split(rawTitle)
            let id = [item.first("guid"), item.first("link")].compactMap { $0?.text.trimmed(" \t\r\n") }.first { !$0.isEmpty } ?? rawTitle
            let description = item.first("description")?.text ?? ""
            let categories = item.all("category").map { $0.text.trimmed(" \t\r\n").lowercased() }
            guard let phase = categories.first(where: phases.contains) ?? line("status", in: description) else {
                throw StatusPageError(path: path, message: "no phase (a <category> such as investigating or resolved, or a 'Status:' line)")
            }
            if closed.contains(phase) { continue }
            if !phases.contains(phase) { unknown.append("incident status \(phase)") }
            let severity = categories.first { !phases.contains($0) } ?? line("severity", in: description)
            if severity == "maintenance" || ["scheduled", "in_progress", "verifying"].contains(phase) {
                // A maintenance under way counts; one only scheduled does not.
                if phase != "scheduled" { maintenances.insert(id) }
                continue
            }
            let impact = self.impact(severity, &unknown)
            let started = item.first("pubDate").flatMap { Dates.rfc822($0.text.trimmed(" \t\r\n")) }
            if var known = open[id] {
                known.impact = max(known.impact, impact)
                if let started, started < known.started ?? .infinity { known.started = started }
                if let component, !known.components.contains(component) { known.components.append(component) }
                open[id] = known
            } else {
                order.append(id)
                open[id] = PageIncident(id: id, name: name, impact: impact, status: phase, started: started,
                                        latestUpdateID: String((phase + description).fnv1a, radix: 16),
                                        components: component.map { [$0] } ?? [])
            }
        }
        let incidents = order.compactMap { open[$0] }
        // Open incidents are at least minor (`impact`); with none, a maintenance under way is the level.
        var indicator = PageMapping.indicator(worstOf: [], incidents: incidents.map(\.impact))
        if indicator == .none && !maintenances.isEmpty { indicator = .maintenance }
        return StatusPageState(indicator: indicator, components: [], incidents: incidents,
                               maintenancesActive: maintenances.count, unknownValues: unknown)
    }

    /// `[Global (api.x.ai)] Outages across API` → the component and the name.
    static func split(_ title: String) -> (component: String?, name: String) {
        guard title.hasPrefix("["), let close = title.firstIndex(of: "]") else { return (nil, title) }
        let component = title[title.index(after: title.startIndex)..<close].trimmed()
        let name = title[title.index(after: close)...].trimmed()
        return component.isEmpty || name.isEmpty ? (nil, title) : (component, name)
    }

    /// The value of a `Label: value` line in an item's description (HTML or
    /// text), lowercased, with spaces as underscores: `<h3>Status: RESOLVED</h3>` → `resolved`.
    static func line(_ label: String, in description: String) -> String? {
        let lower = description.lowercased()
        guard let found = lower.firstRange(of: label + ":") else { return nil }
        let value = lower[found.upperBound...].prefix { $0 != "<" && $0 != "\n" && $0 != "\r" }.trimmed()
        return value.isEmpty ? nil : value.replacing(" ", with: "_")
    }

    /// xAI's severities on Statuspage's scale: an outage is critical, a
    /// disruption major; an open incident is at least minor (xAI marks some
    /// open incidents `available`).
    static func impact(_ severity: String?, _ unknown: inout [String]) -> IncidentImpact {
        switch severity {
        case "outage", "major_outage", "critical": .critical
        case "disruption", "partial_outage", "major": .major
        case nil, "available", "degraded", "degraded_performance", "minor", "none": .minor
        case let other?: max(PageMapping.impact(other, &unknown), .minor)
        }
    }
}
