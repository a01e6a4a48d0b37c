import Glibc

/// Reads a config file into an `ExporterConfig`, validating every rule of README's
/// "Configuration" and collecting all errors.
public enum ConfigLoader {
    public static func load(file path: String, environment: ConfigEnvironment = .process) throws(ConfigErrors) -> ExporterConfig {
        guard let bytes = environment.readFile(path) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, column: 0, path: "file",
                                                    message: "cannot read: \(Posix.errorText())")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 1, column: 1, path: "file", message: "not valid UTF-8")])
        }
        return try parse(text, fileName: path, environment: environment)
    }

    public static func parse(_ text: String, fileName: String, environment: ConfigEnvironment = .process) throws(ConfigErrors) -> ExporterConfig {
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(text)
        } catch {
            throw ConfigErrors(errors: [ConfigError(file: fileName, line: error.line, column: error.column,
                                                    path: "syntax", message: error.message)])
        }
        var decoder = ConfigDecoder(file: fileName, environment: environment)
        let config = decoder.decode(root)
        guard decoder.errors.isEmpty, let config else {
            throw ConfigErrors(errors: decoder.errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return config
    }
}

/// Walks the node tree; every problem becomes a `ConfigError` and decoding goes
/// on, so one run reports them all.
struct ConfigDecoder {
    let file: String
    let environment: ConfigEnvironment
    var errors: [ConfigError] = []

    init(file: String, environment: ConfigEnvironment) {
        self.file = file
        self.environment = environment
    }

    mutating func error(_ node: YAMLNode, _ path: String, _ message: String) {
        errors.append(ConfigError(file: file, line: node.line, column: node.column, path: path, message: message))
    }

    // MARK: Shapes

    static let globalKeys = ["interval", "timeout", "failure_threshold", "degraded_latency", "backoff_max",
                             "max_concurrent_probes", "buckets"]
    static let overridable = ["interval", "timeout", "failure_threshold", "degraded_latency", "expect_status", "headers"]
    static let providerKeys = ["name", "preset", "base_url", "models_path", "api_key_env", "api_key_file", "priority",
                               "secret_headers_env", "checks", "status_page", "tls"] + overridable
    /// Keys every check takes; each type's own keys are `CheckType.keys`.
    static let commonCheckKeys = ["name", "type", "reuse_connections", "tls"] + overridable
    static let checkKeys = commonCheckKeys + CheckType.allCases.flatMap(\.keys).reduce(into: [String]()) { all, key in
        if !all.contains(key) { all.append(key) }
    }
    static let statusPageKeys = ["url", "format", "components", "max_components", "products", "follow_redirects"]
    static let tlsKeys = ["ca_file", "insecure_skip_verify", "server_name"]

    /// The entries of a mapping node by key, reporting unknown keys (with a
    /// suggestion) at the key's position; nil if the node is not a mapping.
    mutating func fields(_ node: YAMLNode, _ path: String, allowed: [String]) -> [String: (key: YAMLNode, value: YAMLNode)]? {
        guard case .mapping(let entries) = node.kind else {
            error(node, path, "expected a mapping (key: value lines)")
            return nil
        }
        var result: [String: (key: YAMLNode, value: YAMLNode)] = [:]
        for entry in entries {
            guard case .scalar(let key, _) = entry.key.kind else { continue }
            if allowed.contains(key) {
                result[key] = entry
            } else {
                let hint = Spelling.closest(key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                error(entry.key, path, "unknown key '\(key)'\(hint)")
            }
        }
        return result
    }

    mutating func string(_ node: YAMLNode, _ path: String) -> String? {
        guard case .scalar(let text, _) = node.kind, node.resolved != .null else {
            error(node, path, "expected a string")
            return nil
        }
        return text
    }

    mutating func int(_ node: YAMLNode, _ path: String, min: Int, max: Int = Int.max) -> Int? {
        guard case .int(let value)? = node.resolved else {
            error(node, path, "expected an integer")
            return nil
        }
        guard value >= min && value <= max else {
            error(node, path, max == Int.max ? "must be at least \(min), not \(value)" : "must be from \(min) to \(max), not \(value)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard case .bool(let value)? = node.resolved else {
            error(node, path, "expected true or false")
            return nil
        }
        return value
    }

    mutating func duration(_ node: YAMLNode, _ path: String, allowZero: Bool = false) -> PromDuration? {
        guard case .scalar(let text, _) = node.kind, let d = PromDuration(parsing: text) else {
            error(node, path, "'\(Self.text(node))' is not a duration (like 500ms, 30s, 5m, 1h30m)")
            return nil
        }
        if d.milliseconds == 0 && !allowZero {
            error(node, path, "must be longer than 0s")
            return nil
        }
        return d
    }

    mutating func stringList(_ node: YAMLNode, _ path: String) -> [String]? {
        guard case .sequence(let items) = node.kind else {
            error(node, path, "expected a list")
            return nil
        }
        return items.enumerated().compactMap { i, item in string(item, "\(path)[\(i)]") }
    }

    mutating func url(_ node: YAMLNode, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        guard Self.isHTTPURL(text) else {
            error(node, path, "'\(text)' is not an http:// or https:// URL with a host")
            return nil
        }
        return text
    }

    static func isHTTPURL(_ text: String) -> Bool {
        URLParts(text) != nil && !text.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F }
    }

    static func text(_ node: YAMLNode) -> String {
        if case .scalar(let t, _) = node.kind { return t }
        return "a collection"
    }

    mutating func headers(_ node: YAMLNode, _ path: String) -> [(name: String, value: String)]? {
        guard case .mapping(let entries) = node.kind else {
            error(node, path, "expected a mapping of header names to values")
            return nil
        }
        var result: [(name: String, value: String)] = []
        for entry in entries {
            guard case .scalar(let name, _) = entry.key.kind else { continue }
            guard Self.isHeaderName(name) else {
                error(entry.key, path, "'\(name)' is not a valid header name")
                continue
            }
            guard let value = string(entry.value, "\(path).\(name)") else { continue }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
                error(entry.value, "\(path).\(name)", "header values cannot contain control characters")
                continue
            }
            result.append((name, value))
        }
        return result
    }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(HTTPSyntax.isTokenByte)
    }

    mutating func expectStatus(_ node: YAMLNode, _ path: String) -> StatusMatcher? {
        var matcher = StatusMatcher(codes: [], classes: [])
        let items: [YAMLNode]
        if case .sequence(let list) = node.kind { items = list } else { items = [node] }
        guard !items.isEmpty else {
            error(node, path, "expected at least one status")
            return nil
        }
        for item in items {
            if case .int(let code)? = item.resolved, (100...599).contains(code) {
                matcher.codes.append(code)
            } else if case .string(let text)? = item.resolved, text.count == 3, text.hasSuffix("xx"),
                      let digit = Int(text.prefix(1)), (1...5).contains(digit) {
                matcher.classes.append(digit)
            } else {
                error(item, path, "'\(Self.text(item))' is not a status code (100-599) or class (like 2xx)")
                return nil
            }
        }
        return matcher
    }

    mutating func tls(_ node: YAMLNode, _ path: String) -> TLSConfig? {
        guard let f = fields(node, path, allowed: Self.tlsKeys) else { return nil }
        var tls = TLSConfig()
        if let n = f["ca_file"]?.value, let caFile = string(n, "\(path).ca_file") {
            if environment.readFile(caFile) == nil {
                error(n, "\(path).ca_file", "cannot read '\(caFile)'")
            }
            tls.caFile = caFile
        }
        if let n = f["insecure_skip_verify"]?.value { tls.insecureSkipVerify = bool(n, "\(path).insecure_skip_verify") ?? false }
        if let n = f["server_name"]?.value { tls.serverName = string(n, "\(path).server_name") }
        return tls
    }

    static func isName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}
