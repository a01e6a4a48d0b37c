/// Google Cloud's `incidents.json`: incidents whose affected products include a
/// configured product; ongoing while `end` is null. Severity low, medium, high
/// is impact minor, major, critical; each product is a component whose status
/// follows its worst ongoing incident.
public enum GoogleCloudDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String {
        page.baseURL.hasSuffix(".json") ? page.baseURL : page.baseURL + "/incidents.json"
    }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(main, products: page.products ?? [])
    }

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
            default: impact = PageMapping.impact(severity, &unknown)
            }
            for product in matching { worst[product] = max(worst[product] ?? .none, impact) }
            let begin = try item.at("begin")?.optionalString()
            let status = try item.at("most_recent_update")?.at("status")?.optionalString()
            let name = try item.at("external_desc")?.optionalString()
            let updateTime = try item.at("most_recent_update")?.at("modified")?.optionalString()
            incidents.append(PageIncident(id: try item.required("id").id(), name: name ?? "incident",
                                          impact: impact, status: status ?? "ongoing",
                                          started: begin.flatMap(Dates.rfc3339), latestUpdateID: updateTime,
                                          components: matching))
        }
        let indicator = PageMapping.indicator(worstOf: [], incidents: incidents.map(\.impact))
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
}
