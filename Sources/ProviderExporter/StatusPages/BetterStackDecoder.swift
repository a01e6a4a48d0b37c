/// Better Stack `index.json` (JSON:API): the page's `aggregate_state`,
/// `status_page_resource` items as components, and `status_report` items as
/// incidents (or maintenances) while their state is not operational.
public enum BetterStackDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String {
        page.baseURL.hasSuffix(".json") ? page.baseURL : page.baseURL + "/index.json"
    }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(main, now: now)
    }

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
        default: indicator = PageMapping.indicator(aggregate, &unknown)
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
                let ended = endsText.flatMap(Dates.rfc3339).map { $0 <= now } ?? false
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
                    started: startsText.flatMap(Dates.rfc3339), latestUpdateID: nil))
            default:
                continue
            }
        }
        return StatusPageState(indicator: indicator, components: PageMapping.uniqueLabels(components), incidents: incidents,
                               maintenancesActive: maintenances, unknownValues: unknown)
    }

    static func componentStatus(_ state: String, _ unknown: inout [String]) -> ComponentStatus {
        switch state.lowercased() {
        case "operational": .operational
        case "degraded": .degraded_performance
        case "downtime": .major_outage
        case "maintenance": .under_maintenance
        default: PageMapping.componentStatus(state, &unknown)
        }
    }
}
