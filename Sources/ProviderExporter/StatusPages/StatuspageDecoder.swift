/// Atlassian Statuspage v2 JSON, as Atlassian and incident.io pages serve it:
/// `summary.json`, plus `components.json` when the summary lists none.
public enum StatuspageDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String { page.baseURL + "/api/v2/summary.json" }

    static func extraURL(_ page: StatusPageConfig, main: [UInt8]) throws(StatusPageError) -> String? {
        // incident.io pages list no components in summary.json.
        try JSONReader(try parseJSON(main)).optionalArray("components").isEmpty ? page.baseURL + "/api/v2/components.json" : nil
    }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(summary: main, components: extra)
    }

    public static func decode(summary: [UInt8], components componentsBody: [UInt8]? = nil) throws(StatusPageError) -> StatusPageState {
        let root = JSONReader(try parseJSON(summary))
        var unknown: [String] = []
        let indicatorText = try root.required("status").required("indicator").string()
        let indicator = StatusIndicator(rawValue: indicatorText) ?? PageMapping.indicator(indicatorText, &unknown)

        var componentItems = try root.optionalArray("components")
        if componentItems.isEmpty, let componentsBody {
            componentItems = try JSONReader(try parseJSON(componentsBody)).optionalArray("components")
        }
        let components = try labelled(componentItems, &unknown)

        var incidents: [PageIncident] = []
        for item in try root.optionalArray("incidents") {
            let status = try item.required("status").string()
            if status == "resolved" || status == "postmortem" { continue }
            // `??` takes an autoclosure that loses the typed throw: no `try` inside one.
            let impactValue = try item.at("impact")?.optionalString()
            let impactText = impactValue ?? "none"
            let impact = IncidentImpact(rawValue: impactText) ?? PageMapping.impact(impactText, &unknown)
            let startedAt = try PageMapping.time(item.at("started_at"))
            let createdAt = try PageMapping.time(item.at("created_at"))
            let started = startedAt ?? createdAt
            // Updates come newest first; take the newest by time all the same.
            var latest: (reader: JSONReader, at: Double)? = nil
            var listed: [String] = []
            for component in try item.optionalArray("components") {
                listed += [try component.at("id")?.id(), try component.at("name")?.optionalString()].compactMap { $0 }
            }
            for update in try item.optionalArray("incident_updates") {
                let at = try PageMapping.time(update.at("created_at")) ?? 0
                if latest == nil || at > latest!.at { latest = (update, at) }
                for component in try update.optionalArray("affected_components") {
                    listed += [try component.at("code")?.id(), try component.at("name")?.optionalString()].compactMap { $0 }
                }
            }
            var incident = PageIncident(id: try item.required("id").id(), name: try item.required("name").string(),
                                        impact: impact, status: status, started: started,
                                        latestUpdateID: try latest?.reader.at("id")?.id())
            var seen: Set<String> = []
            incident.components = listed.filter { seen.insert($0).inserted }
            incidents.append(incident)
        }
        var maintenances = 0
        for item in try root.optionalArray("scheduled_maintenances") {
            let status = try item.required("status").string()
            if status == "in_progress" || status == "verifying" { maintenances += 1 }
        }
        return StatusPageState(indicator: indicator, components: components, incidents: incidents,
                               maintenancesActive: maintenances, unknownValues: unknown)
    }

    /// Groups are not components; members are `Group / Name`; names that still
    /// collide get ` #ID` (recorded pages do have two components of one name).
    static func labelled(_ items: [JSONReader], _ unknown: inout [String]) throws(StatusPageError) -> [PageComponent] {
        var groups: [String: String] = [:]
        var members: [(id: String, name: String, group: String?, status: ComponentStatus)] = []
        for item in items {
            let id = try item.required("id").id()
            let name = try item.required("name").string()
            if case .bool(true)? = item.at("group")?.value {
                groups[id] = name
                continue
            }
            let statusText = try item.required("status").string()
            let status = ComponentStatus(rawValue: statusText) ?? PageMapping.componentStatus(statusText, &unknown)
            members.append((id, name, try item.at("group_id")?.optionalString(), status))
        }
        let labels = members.map { m in m.group.flatMap { groups[$0] }.map { "\($0) / \(m.name)" } ?? m.name }
        return PageMapping.uniqueLabels(members.map { ($0.id, $0.name, $0.status) }, labels: labels)
    }
}
