/// Datadog status pages (OpenRouter's): the page's whole state is one
/// unauthenticated `config.json`. Components are a tree of `ComponentGroup`s
/// over `Component`s with a status (members labelled `Group / Name`);
/// incidents carry `resolved`, `currentStatus`, `publishedDate` and a
/// timeline whose entries list the components affected with their status at
/// that moment. The page publishes no overall indicator: it is the worst
/// component's. No recorded payload has held a maintenance, so
/// `maintenances` is not read (0).
enum DatadogDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String {
        page.baseURL.hasSuffix(".json") ? page.baseURL : page.baseURL + "/config.json"
    }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(main)
    }

    static func decode(_ body: [UInt8]) throws(StatusPageError) -> StatusPageState {
        let root = JSONReader(try parseJSON(body))
        var unknown: [String] = []
        var members: [(id: String, name: String, status: ComponentStatus)] = []
        var labels: [String] = []
        func walk(_ items: [JSONReader], group: String?) throws(StatusPageError) {
            for item in items {
                let name = try item.required("name").string()
                if try item.at("type")?.optionalString() == "ComponentGroup" {
                    // The outermost group names the member: nested groups are flattened into it.
                    try walk(try item.optionalArray("components"), group: group ?? name)
                    continue
                }
                let status = componentStatus(try item.required("status").string(), &unknown)
                members.append((try item.required("id").id(), name, status))
                labels.append(group.map { "\($0) / \(name)" } ?? name)
            }
        }
        try walk(try root.required("components").array(), group: nil)
        // A page with no component at all is a changed format, not a quiet page.
        guard !members.isEmpty else { throw StatusPageError(path: "components", message: "no component") }
        let components = PageMapping.uniqueLabels(members, labels: labels)

        var incidents: [PageIncident] = []
        for item in try root.optionalArray("incidents") {
            guard case .bool(let resolved)? = item.at("resolved")?.value else {
                throw StatusPageError(path: item.path + ".resolved", message: "expected true or false")
            }
            if resolved { continue }
            // The newest timeline entry says where the incident stands; its
            // worst affected component says how bad it is.
            var latest: (reader: JSONReader, at: Double)? = nil
            var listed: [String] = []
            for entry in try item.optionalArray("timeline") {
                let at = try PageMapping.time(entry.at("startedAt")) ?? 0
                if latest == nil || at > latest!.at { latest = (entry, at) }
                for c in try entry.optionalArray("componentsAffected") {
                    listed += [try c.at("id")?.id(), try c.at("name")?.optionalString()].compactMap { $0 }
                }
            }
            var worst = IncidentImpact.none
            for c in try latest?.reader.optionalArray("componentsAffected") ?? [] {
                worst = max(worst, PageMapping.impact(of: componentStatus(try c.required("status").string(), &unknown)))
            }
            let status = try item.at("currentStatus")?.optionalString() ?? "investigating"
            var incident = PageIncident(id: try item.required("id").id(), name: try item.required("title").string(), impact: worst,
                                        status: status, started: try PageMapping.time(item.at("publishedDate")),
                                        latestUpdateID: try latest?.reader.at("id")?.id())
            var seen: Set<String> = []
            incident.components = listed.filter { seen.insert($0).inserted }
            incidents.append(incident)
        }
        return StatusPageState(indicator: PageMapping.indicator(worstOf: components.map(\.status)), components: components, incidents: incidents,
                               maintenancesActive: 0, unknownValues: unknown)
    }

    /// The page's words: operational, degraded, partial_outage, major_outage, maintenance.
    static func componentStatus(_ text: String, _ unknown: inout [String]) -> ComponentStatus {
        switch text {
        case "operational": .operational
        case "degraded": .degraded_performance
        case "partial_outage": .partial_outage
        case "major_outage": .major_outage
        case "maintenance": .under_maintenance
        default: PageMapping.componentStatus(text, &unknown)
        }
    }
}
