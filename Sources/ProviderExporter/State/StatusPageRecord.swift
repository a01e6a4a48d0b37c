/// Everything known about a provider's status page.
public struct StatusPageRecord: Sendable {
    public var config: StatusPageConfig
    /// The last good state, filtered by `components:` and capped by
    /// `max_components`; kept after a failed fetch until a good one arrives.
    public var state: StatusPageState?
    /// Whether the last fetch and parse succeeded; nil before the first.
    public var up: Bool?
    public var fetches: [FetchResult: UInt64] = Dictionary(uniqueKeysWithValues: FetchResult.allCases.map { ($0, 0) })
    public var lastFetchAt: Double?
    public var nextFetchAt: Double?
    public var lastError: String?
    /// Components the cap cut off from the last good state.
    public var componentsCut = 0
    /// Undocumented values already logged.
    var warnedValues: Set<String> = []

    init(config: StatusPageConfig) { self.config = config }

    /// The page's level for the state rules (README, "Checks, results and state"): its indicator,
    /// or with `components:` set, the worst impact among the incidents that
    /// count (those listing a watched component or none).
    var level: StatusIndicator {
        guard let s = state else { return .none }
        guard config.components != nil else { return s.indicator }
        let impacts = Set(s.incidents.map(\.impact))
        if impacts.contains(.critical) { return .critical }
        if impacts.contains(.major) { return .major }
        if impacts.contains(.minor) { return .minor }
        return .none
    }

    /// Whether the page makes its provider `degraded`: a level of minor or
    /// worse, or a watched component that is not operational.
    var degrades: Bool {
        guard let s = state else { return false }
        return [.minor, .major, .critical].contains(level) || s.components.contains { $0.status != .operational }
    }

    /// Whether the page makes a status-page-only provider `down`.
    var meansDown: Bool {
        guard let s = state else { return false }
        return level == .critical || s.components.contains { $0.status == .major_outage }
    }

    /// Applies `components:` (to components and to the incidents that count)
    /// and `max_components` to a freshly decoded state.
    func watched(_ fresh: StatusPageState) -> (StatusPageState, cut: Int) {
        var s = fresh
        if let names = config.components {
            s.components = s.components.filter { names.contains($0.name) || names.contains($0.label) }
            // An incident counts when it lists a watched component (by id, name
            // or label) or lists none at all.
            let refs = Set(s.components.flatMap { [$0.id, $0.name, $0.label] }).union(names)
            s.incidents = s.incidents.filter { $0.components.isEmpty || $0.components.contains(where: refs.contains) }
        }
        let cut = max(0, s.components.count - config.maxComponents)
        if cut > 0 { s.components.removeLast(cut) }
        return (s, cut)
    }
}

/// A change on a status page worth one log line (README, "Checks, results and state").
public struct IncidentChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case new = "new incident"
        case statusChanged = "incident status changed"
        case updated = "incident updated"
        case resolved = "incident resolved"
    }

    public var kind: Kind
    public var provider: String
    public var incident: PageIncident

    /// Compares two states of one page. `seen` holds incidents already logged as
    /// new in this process, so a page that flaps does not re-log them as new.
    static func changes(provider: String, old: [PageIncident], new: [PageIncident], seen: inout Set<String>) -> [IncidentChange] {
        var out: [IncidentChange] = []
        let before = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Set(new.map(\.id))
        for incident in new {
            if let previous = before[incident.id] {
                if previous.status != incident.status {
                    out.append(IncidentChange(kind: .statusChanged, provider: provider, incident: incident))
                } else if previous.latestUpdateID != incident.latestUpdateID {
                    out.append(IncidentChange(kind: .updated, provider: provider, incident: incident))
                }
            } else if seen.insert("\(provider)/\(incident.id)").inserted {
                out.append(IncidentChange(kind: .new, provider: provider, incident: incident))
            }
        }
        for incident in old where !after.contains(incident.id) {
            out.append(IncidentChange(kind: .resolved, provider: provider, incident: incident))
        }
        return out
    }
}

extension StatusPageState {
    /// Whether `other` has the same series labels (component labels, and the
    /// labelled incidents), so that the exposition's order still holds.
    func sameLabels(as other: StatusPageState) -> Bool {
        components.map(\.label) == other.components.map(\.label)
            && incidents.elementsEqual(other.incidents) { a, b in
                a.id == b.id && a.name == b.name && a.impact == b.impact && a.status == b.status
                    && (a.started == nil) == (b.started == nil)
            }
    }
}
