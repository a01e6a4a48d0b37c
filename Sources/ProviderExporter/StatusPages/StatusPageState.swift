/// `provider_status_indicator{indicator}` values.
public enum StatusIndicator: String, Sendable, CaseIterable {
    case none, minor, major, critical, maintenance
}

/// `provider_component_status{status}` values.
public enum ComponentStatus: String, Sendable, CaseIterable {
    case operational, degraded_performance, partial_outage, major_outage, under_maintenance
}

/// `provider_incidents{impact}` values.
public enum IncidentImpact: String, Sendable, CaseIterable, Comparable {
    case none, minor, major, critical

    /// Worse is greater: the declaration order.
    public static func < (a: IncidentImpact, b: IncidentImpact) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct PageComponent: Sendable, Equatable {
    public var id: String
    /// The name on the page; `components:` filters match it or the label.
    public var name: String
    /// The label: the name, `Group / Name` for group members, ` #ID` on a collision.
    public var label: String
    public var status: ComponentStatus
}

public struct PageIncident: Sendable, Equatable {
    public var id: String
    public var name: String
    public var impact: IncidentImpact
    /// As the page says it (`investigating`, `identified`, `monitoring`, ...).
    public var status: String
    /// `started_at`, else `created_at`, as Unix seconds.
    public var started: Double?
    public var latestUpdateID: String?
    /// The components the incident lists, by id and by name (Statuspage's
    /// `components` and updates' `affected_components`; Google Cloud's
    /// affected products); empty when it lists none.
    public var components: [String] = []
}

/// What one fetch of a status page says, in every format's common terms.
public struct StatusPageState: Sendable, Equatable {
    public var indicator: StatusIndicator
    public var components: [PageComponent]
    /// Unresolved incidents only.
    public var incidents: [PageIncident]
    public var maintenancesActive: Int
    /// Enum values the page used that the format does not document, mapped to
    /// the nearest documented meaning (logged once each).
    public var unknownValues: [String] = []
}

/// A payload the decoder could not use, with where in the JSON it went wrong.
public struct StatusPageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads fields from a `JSONValue` while tracking the JSON path, so a decoder
/// error says where the payload was wrong (`components[3].status: expected a string`).
struct JSONReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    func at(_ key: String) -> JSONReader? {
        value[key].map { JSONReader($0, path: path.isEmpty ? key : "\(path).\(key)") }
    }

    func required(_ key: String) throws(StatusPageError) -> JSONReader {
        guard case .object = value else { throw StatusPageError(path: path, message: "expected an object") }
        guard let r = at(key) else { throw StatusPageError(path: path.isEmpty ? key : "\(path).\(key)", message: "missing") }
        return r
    }

    func string() throws(StatusPageError) -> String {
        guard case .string(let s) = value else { throw StatusPageError(path: path, message: "expected a string") }
        return s
    }

    /// A string, or nil for null or absence handled by the caller.
    func optionalString() throws(StatusPageError) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        default: throw StatusPageError(path: path, message: "expected a string or null")
        }
    }

    /// Ids are strings on Statuspage pages and numbers on some others.
    func id() throws(StatusPageError) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n) where n == n.rounded(): return String(Int64(n))
        default: throw StatusPageError(path: path, message: "expected an id")
        }
    }

    func number() throws(StatusPageError) -> Double {
        guard case .number(let n) = value else { throw StatusPageError(path: path, message: "expected a number") }
        return n
    }

    func array() throws(StatusPageError) -> [JSONReader] {
        guard case .array(let items) = value else { throw StatusPageError(path: path, message: "expected an array") }
        return items.enumerated().map { JSONReader($1, path: "\(path)[\($0)]") }
    }

    /// An array, or empty when absent or null (incident.io leaves keys out).
    func optionalArray(_ key: String) throws(StatusPageError) -> [JSONReader] {
        guard let r = at(key), r.value != .null else { return [] }
        return try r.array()
    }
}

/// Parses a payload as JSON, or says why not.
func parseJSON(_ bytes: [UInt8]) throws(StatusPageError) -> JSONValue {
    do {
        return try JSONValue.parse(bytes)
    } catch {
        let head = String(decoding: bytes.prefix(40), as: UTF8.self).lowercased()
        let what = head.contains("<html") || head.contains("<!doctype") ? "an HTML page, not JSON" : "not valid JSON"
        throw StatusPageError(path: "", message: "body is \(what)")
    }
}
