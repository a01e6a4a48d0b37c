/// Better Stack `index.json` (JSON:API): the page's `aggregate_state`,
/// `status_page_resource` items as components, and `status_report` items as
/// incidents (or maintenances) while their state is not operational.
public enum BetterStackDecoder {
    public static func decode(_ body: [UInt8], now: Double) throws(StatusPageError) -> StatusPageState {
        let root = JSONReader(try parseJSON(body))
        var unknown: [String] = []
        let aggregate = try root.required("data").required("attributes").required("aggregate_state").string()
        let indicator: StatusIndicator
        switch aggregate.lowercased() {
        case "operational": indicator = .none
        case "degraded": indicator = .minor
        case "downtime": indicator = .major
        case "maintenance": indicator = .maintenance
        default: indicator = StatuspageDecoder.nearestIndicator(aggregate, &unknown)
        }
        var components: [(id: String, name: String, status: ComponentStatus)] = []
        var incidents: [PageIncident] = []
        var maintenances = 0
        for item in try root.optionalArray("included") {
            guard let type = try item.at("type")?.optionalString() else { continue }
            let attributes = try item.required("attributes")
            switch type {
            case "status_page_resource":
                let state = try attributes.required("status").string()
                guard state != "not_monitored" else { continue }
                components.append((try item.required("id").id(), try attributes.required("public_name").string(),
                                   componentStatus(state, &unknown)))
            case "status_report":
                let state = try attributes.required("aggregate_state").string().lowercased()
                let endsText = try attributes.at("ends_at")?.optionalString()
                let ended = endsText.flatMap(RateLimitParser.rfc3339).map { $0 <= now } ?? false
                guard state != "operational", !ended else { continue }
                let kind = try attributes.at("report_type")?.optionalString()
                if kind == "maintenance" || state == "maintenance" {
                    maintenances += 1
                    continue
                }
                let startsText = try attributes.at("starts_at")?.optionalString()
                incidents.append(PageIncident(
                    id: try item.required("id").id(), name: try attributes.required("title").string(),
                    impact: state == "downtime" ? .major : .minor, status: state,
                    started: startsText.flatMap(RateLimitParser.rfc3339), latestUpdateID: nil))
            default:
                continue
            }
        }
        return StatusPageState(indicator: indicator, components: uniqueLabels(components), incidents: incidents,
                               maintenancesActive: maintenances, unknownValues: unknown)
    }

    static func componentStatus(_ state: String, _ unknown: inout [String]) -> ComponentStatus {
        switch state.lowercased() {
        case "operational": .operational
        case "degraded": .degraded_performance
        case "downtime": .major_outage
        case "maintenance": .under_maintenance
        default: StatuspageDecoder.nearestComponentStatus(state, &unknown)
        }
    }
}

/// Google Cloud's `incidents.json`: incidents whose affected products include a
/// configured product; ongoing while `end` is null. Severity low, medium, high
/// is impact minor, major, critical; each product is a component whose status
/// follows its worst ongoing incident.
public enum GoogleCloudDecoder {
    public static func decode(_ body: [UInt8], products: [String]) throws(StatusPageError) -> StatusPageState {
        let items = try JSONReader(try parseJSON(body)).array()
        var unknown: [String] = []
        var incidents: [PageIncident] = []
        var worst: [String: IncidentImpact] = [:]
        for item in items {
            guard case .object = item.value else { throw StatusPageError(path: item.path, message: "expected an object") }
            guard item.at("end").map({ $0.value == .null }) ?? true else { continue }
            var affected: [String] = []
            for product in try item.optionalArray("affected_products") {
                affected.append(try product.required("title").string())
            }
            let matching = affected.filter(products.contains)
            guard !matching.isEmpty else { continue }
            let severity = try item.at("severity")?.optionalString() ?? "low"
            let impact: IncidentImpact
            switch severity {
            case "low": impact = .minor
            case "medium": impact = .major
            case "high": impact = .critical
            default: impact = StatuspageDecoder.nearestImpact(severity, &unknown)
            }
            for product in matching where rank(impact) > rank(worst[product] ?? .none) { worst[product] = impact }
            let begin = try item.at("begin")?.optionalString()
            let status = try item.at("most_recent_update")?.at("status")?.optionalString()
            let name = try item.at("external_desc")?.optionalString()
            let updateTime = try item.at("most_recent_update")?.at("modified")?.optionalString()
            incidents.append(PageIncident(id: try item.required("id").id(), name: name ?? "incident",
                                          impact: impact, status: status ?? "ongoing",
                                          started: begin.flatMap(RateLimitParser.rfc3339), latestUpdateID: updateTime,
                                          components: matching))
        }
        let top = incidents.map(\.impact).max { rank($0) < rank($1) }
        let indicator: StatusIndicator = switch top {
        case .critical?: .critical
        case .major?: .major
        case .minor?: .minor
        default: .none
        }
        let components = products.enumerated().map { i, product -> PageComponent in
            let status: ComponentStatus = switch worst[product] {
            case .critical?: .major_outage
            case .major?: .partial_outage
            case .minor?: .degraded_performance
            default: .operational
            }
            return PageComponent(id: String(i), name: product, label: product, status: status)
        }
        return StatusPageState(indicator: indicator, components: components, incidents: incidents,
                               maintenancesActive: 0, unknownValues: unknown)
    }

    static func rank(_ impact: IncidentImpact) -> Int {
        IncidentImpact.allCases.firstIndex(of: impact)!
    }
}

/// Labels must be unique: a label that repeats gets ` #ID`.
func uniqueLabels(_ items: [(id: String, name: String, status: ComponentStatus)], labels: [String]? = nil) -> [PageComponent] {
    let labels = labels ?? items.map(\.name)
    var counts: [String: Int] = [:]
    for label in labels { counts[label, default: 0] += 1 }
    return zip(items, labels).map { item, label in
        PageComponent(id: item.id, name: item.name, label: counts[label]! > 1 ? "\(label) #\(item.id)" : label, status: item.status)
    }
}
