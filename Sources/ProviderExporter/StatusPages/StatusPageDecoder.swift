/// One status-page product's machine-readable format: which documents a fetch
/// reads and how they map to `StatusPageState`. A format is one decoder file
/// conforming to this and one entry in `StatusPageFetcher.decoder(for:)`.
protocol StatusPageDecoder {
    /// The document every fetch reads first.
    static func mainURL(_ page: StatusPageConfig) -> String
    /// The `Accept` header of its requests.
    static var accept: String { get }
    /// A second document the first says is needed, if any (read with the same
    /// conditional requests).
    static func extraURL(_ page: StatusPageConfig, main: [UInt8]) throws(StatusPageError) -> String?
    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState
}

extension StatusPageDecoder {
    static var accept: String { "application/json" }
    static func extraURL(_ page: StatusPageConfig, main: [UInt8]) throws(StatusPageError) -> String? { nil }
}

/// What every format shares: times, unique labels, and undocumented values
/// mapped to the nearest documented meaning (never a failure).
enum PageMapping {
    /// An RFC 3339 time field as Unix seconds; nil when absent, null or unreadable.
    static func time(_ r: JSONReader?) throws(StatusPageError) -> Double? {
        guard let r, let text = try r.optionalString() else { return nil }
        return Dates.rfc3339(text)
    }

    /// Labels must be unique: a label that repeats gets ` #ID`.
    static func uniqueLabels(_ items: [(id: String, name: String, status: ComponentStatus)], labels: [String]? = nil) -> [PageComponent] {
        let labels = labels ?? items.map(\.name)
        var counts: [String: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return zip(items, labels).map { item, label in
            PageComponent(id: item.id, name: item.name, label: counts[label]! > 1 ? "\(label) #\(item.id)" : label, status: item.status)
        }
    }

    static func indicator(_ text: String, _ unknown: inout [String]) -> StatusIndicator {
        unknown.append("indicator \(text)")
        let t = text.lowercased()
        if t.contains("critical") { return .critical }
        if t.contains("major") { return .major }
        if t.contains("maint") { return .maintenance }
        if t.contains("none") || t.contains("operational") { return .none }
        return .minor
    }

    static func componentStatus(_ text: String, _ unknown: inout [String]) -> ComponentStatus {
        unknown.append("component status \(text)")
        let t = text.lowercased()
        if t.contains("major") || t.contains("down") { return .major_outage }
        if t.contains("partial") { return .partial_outage }
        if t.contains("maint") { return .under_maintenance }
        if t == "operational" || t == "ok" || t == "up" { return .operational }
        return .degraded_performance
    }

    static func impact(_ text: String, _ unknown: inout [String]) -> IncidentImpact {
        unknown.append("incident impact \(text)")
        let t = text.lowercased()
        if t.contains("critical") { return .critical }
        if t.contains("major") { return .major }
        if t.contains("none") { return .none }
        return .minor
    }

    /// A component's status as an incident's impact, on Statuspage's scale:
    /// degraded is minor, a partial outage major, a major outage critical.
    static func impact(of status: ComponentStatus) -> IncidentImpact {
        switch status {
        case .operational, .under_maintenance: .none
        case .degraded_performance: .minor
        case .partial_outage: .major
        case .major_outage: .critical
        }
    }

    /// The level of a page that publishes none: the worst of its components
    /// (on the impact scale above) and open incidents; `maintenance` only when
    /// a component is under maintenance and nothing is worse.
    static func indicator(worstOf statuses: [ComponentStatus], incidents: [IncidentImpact] = []) -> StatusIndicator {
        switch (statuses.map(impact(of:)) + incidents).max() {
        case .critical?: .critical
        case .major?: .major
        case .minor?: .minor
        default: statuses.contains(.under_maintenance) ? .maintenance : .none
        }
    }
}
