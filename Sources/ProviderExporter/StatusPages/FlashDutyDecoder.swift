/// FlashDuty status pages (DeepSeek's): the page's API
/// `{base}/api/status-page/{page_id}/summary/active` answers
/// `{"data": {"page": {"components": [...]}, "active_changes": [...]}}`:
/// the components by id and name, and the changes (incidents, maintenances)
/// still open, each with the status of every component it affects. A
/// component's status is the worst an open change gives it; an incident's
/// impact is its worst affected component; the page publishes no level, so
/// it is the worst component or incident.
enum FlashDutyDecoder: StatusPageDecoder {
    static func mainURL(_ page: StatusPageConfig) -> String {
        page.baseURL.hasSuffix("/summary/active") ? page.baseURL : page.baseURL + "/summary/active"
    }

    static func decode(_ main: [UInt8], extra: [UInt8]?, page: StatusPageConfig, now: Double) throws(StatusPageError) -> StatusPageState {
        try decode(main)
    }

    static func decode(_ body: [UInt8]) throws(StatusPageError) -> StatusPageState {
        let data = try JSONReader(try parseJSON(body)).required("data")
        var unknown: [String] = []
        var ids: [String] = []
        var names: [String] = []
        for item in try data.required("page").required("components").array() {
            ids.append(try item.required("component_id").id())
            names.append(try item.required("name").string())
        }
        // A page with no component at all is a changed format, not a quiet page.
        guard !ids.isEmpty else { throw StatusPageError(path: "data.page.components", message: "no component") }

        var worst: [String: ComponentStatus] = [:]
        var incidents: [PageIncident] = []
        var maintenances = 0
        for change in try data.optionalArray("active_changes") {
            let phase = try change.required("status").string().lowercased()
            guard !["resolved", "completed", "closed"].contains(phase) else { continue }
            let maintenance = try change.at("type")?.optionalString() == "maintenance"
            // A maintenance only scheduled has not begun.
            if maintenance && phase == "scheduled" { continue }
            // The affected components with their status now; a change that
            // lists none says it in its newest update's component changes.
            let updates = try change.optionalArray("updates")
            var newest: (reader: JSONReader, at: Double)? = nil
            for update in updates {
                let at = try update.at("at_seconds")?.number() ?? 0
                if newest == nil || at >= newest!.at { newest = (update, at) }
            }
            var affected = try change.optionalArray("affected_components")
            if affected.isEmpty { affected = try newest?.reader.optionalArray("component_changes") ?? [] }
            var impact = IncidentImpact.none
            var listed: [String] = []
            for c in affected {
                let id = try c.required("component_id").id()
                let status = componentStatus(try c.required("status").string(), &unknown)
                worst[id] = worstStatus(worst[id], status)
                impact = max(impact, PageMapping.impact(of: status))
                listed.append(id)
                if let name = try (c.at("name") ?? c.at("component_name"))?.optionalString() { listed.append(name) }
            }
            if maintenance {
                maintenances += 1
                continue
            }
            let update = try newest.map { u throws(StatusPageError) in
                try u.reader.at("update_id")?.optionalString().flatMap { $0.isEmpty ? nil : $0 } ?? String(Int64(u.at))
            }
            var incident = PageIncident(id: try change.required("change_id").id(), name: try change.required("title").string(),
                                        impact: impact, status: phase, started: try change.at("start_at_seconds")?.number(),
                                        latestUpdateID: update)
            incident.components = listed
            incidents.append(incident)
        }
        let components = PageMapping.uniqueLabels(zip(ids, names).map { id, name in (id, name, worst[id] ?? .operational) })
        let indicator = PageMapping.indicator(worstOf: components.map(\.status), incidents: incidents.map(\.impact))
        return StatusPageState(indicator: indicator, components: components, incidents: incidents,
                               maintenancesActive: maintenances, unknownValues: unknown)
    }

    /// FlashDuty's words: operational, degraded, partial_outage, full_outage, maintenance.
    static func componentStatus(_ text: String, _ unknown: inout [String]) -> ComponentStatus {
        switch text {
        case "operational": .operational
        case "degraded": .degraded_performance
        case "partial_outage": .partial_outage
        case "full_outage": .major_outage
        case "maintenance", "under_maintenance": .under_maintenance
        default: PageMapping.componentStatus(text, &unknown)
        }
    }

    static func worstStatus(_ a: ComponentStatus?, _ b: ComponentStatus) -> ComponentStatus {
        guard let a else { return b }
        let order: [ComponentStatus] = [.operational, .under_maintenance, .degraded_performance, .partial_outage, .major_outage]
        return order.firstIndex(of: a)! >= order.firstIndex(of: b)! ? a : b
    }
}
