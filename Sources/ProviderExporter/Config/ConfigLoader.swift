import Glibc

/// One problem in a config file, in SPEC section 4's one form:
/// `FILE:LINE:COL: PATH: problem`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var path: String
    public var message: String
    /// `FILE:LINE:COL: PATH: problem`, or `FILE: problem` for a file that
    /// cannot be read at all (line 0).
    public var description: String {
        line == 0 ? "\(file): \(message)" : "\(file):\(line):\(column): \(path): \(message)"
    }
}

/// Every problem found, sorted by position; never just the first.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Where secrets and files come from: the process by default, fakes in tests.
public struct ConfigEnvironment: Sendable {
    public var variable: @Sendable (String) -> String?
    public var readFile: @Sendable (String) -> [UInt8]?

    public init(variable: @escaping @Sendable (String) -> String?, readFile: @escaping @Sendable (String) -> [UInt8]?) {
        self.variable = variable
        self.readFile = readFile
    }

    public static let process = ConfigEnvironment(
        variable: { name in getenv(name).map { String(cString: $0) } },
        readFile: { path in Posix.readFile(path, limit: maxFileBytes) })

    /// 10,000 checks written one provider each take about 2 MB.
    public static let maxFileBytes = 16 << 20
}

/// Reads a config file into an `ExporterConfig`, validating every rule of SPEC
/// section 4 and collecting all errors.
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
    static let checkKeys = ["name", "type", "expect_model", "model", "max_tokens", "stream", "url", "method", "body",
                            "expect_body", "follow_redirects", "reuse_connections", "tls"] + overridable
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
                let hint = Options.closest(key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
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
        !name.isEmpty && name.utf8.allSatisfy(RequestParser.isTokenByte)
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

    // MARK: Document

    mutating func decode(_ root: YAMLNode) -> ExporterConfig? {
        if root.resolved == .null {
            error(root, "config", "the file is empty: it needs at least a providers: list")
            return nil
        }
        guard let top = fields(root, "config", allowed: ["global", "providers"]) else { return nil }
        var global = GlobalConfig()
        if let node = top["global"]?.value { global = decodeGlobal(node) }
        guard let providersNode = top["providers"]?.value else {
            error(root, "config", "missing key 'providers'")
            return nil
        }
        guard case .sequence(let items) = providersNode.kind, !items.isEmpty else {
            error(providersNode, "providers", "expected a list with at least one provider")
            return nil
        }
        var providers: [ProviderConfig] = []
        var names: [String: YAMLNode] = [:]
        for (i, item) in items.enumerated() {
            guard let provider = decodeProvider(item, "providers[\(i)]", global: global) else { continue }
            if let first = names[provider.name] {
                error(item, "providers[\(i)]", "duplicate provider name '\(provider.name)' (first at line \(first.line))")
                continue
            }
            names[provider.name] = item
            providers.append(provider)
        }
        return ExporterConfig(global: global, providers: providers)
    }

    mutating func decodeGlobal(_ node: YAMLNode) -> GlobalConfig {
        var g = GlobalConfig()
        guard let f = fields(node, "global", allowed: Self.globalKeys) else { return g }
        if let n = f["interval"]?.value, let d = duration(n, "global.interval") { g.interval = d }
        if let n = f["timeout"]?.value, let d = duration(n, "global.timeout") { g.timeout = d }
        if let n = f["failure_threshold"]?.value, let v = int(n, "global.failure_threshold", min: 1) { g.failureThreshold = v }
        if let n = f["degraded_latency"]?.value, let d = duration(n, "global.degraded_latency") { g.degradedLatency = d }
        if let n = f["backoff_max"]?.value, let d = duration(n, "global.backoff_max", allowZero: true) { g.backoffMax = d }
        if let n = f["max_concurrent_probes"]?.value, let v = int(n, "global.max_concurrent_probes", min: 1, max: 100_000) {
            g.maxConcurrentProbes = v
        }
        if let n = f["buckets"]?.value { g.buckets = buckets(n, "global.buckets") ?? g.buckets }
        if g.timeout >= g.interval, let n = f["timeout"]?.value ?? f["interval"]?.value {
            error(n, "global", "timeout \(g.timeout) must be shorter than interval \(g.interval)")
        }
        return g
    }

    mutating func buckets(_ node: YAMLNode, _ path: String) -> [Double]? {
        guard case .sequence(let items) = node.kind, !items.isEmpty else {
            error(node, path, "expected a non-empty list of upper bounds in seconds")
            return nil
        }
        var values: [Double] = []
        for item in items {
            switch item.resolved {
            case .int(let v)?: values.append(Double(v))
            case .float(let v)? where v.isFinite: values.append(v)
            default:
                error(item, path, "'\(Self.text(item))' is not a number of seconds")
                return nil
            }
        }
        guard values[0] > 0, zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            error(node, path, "bucket bounds must be positive and strictly increasing")
            return nil
        }
        return values
    }

    /// The per-check settings a provider may set for all its checks.
    struct Defaults {
        var interval: PromDuration
        var timeout: PromDuration
        var failureThreshold: Int
        var degradedLatency: PromDuration
        var expectStatus = StatusMatcher()
        var headers: [(name: String, value: String)] = []
        /// The node that set the timeout or interval, for the error location.
        var timingNode: (node: YAMLNode, path: String)?
    }

    mutating func overrides(_ f: [String: (key: YAMLNode, value: YAMLNode)], _ path: String, _ base: Defaults) -> Defaults {
        var d = base
        if let n = f["interval"]?.value, let v = duration(n, "\(path).interval") { d.interval = v; d.timingNode = (n, path) }
        if let n = f["timeout"]?.value, let v = duration(n, "\(path).timeout") { d.timeout = v; d.timingNode = (n, path) }
        if let n = f["failure_threshold"]?.value, let v = int(n, "\(path).failure_threshold", min: 1) { d.failureThreshold = v }
        if let n = f["degraded_latency"]?.value, let v = duration(n, "\(path).degraded_latency") { d.degradedLatency = v }
        if let n = f["expect_status"]?.value, let v = expectStatus(n, "\(path).expect_status") { d.expectStatus = v }
        if let n = f["headers"]?.value, let v = headers(n, "\(path).headers") {
            d.headers = d.headers.filter { old in !v.contains { $0.name.lowercased() == old.name.lowercased() } } + v
        }
        return d
    }

    mutating func decodeProvider(_ node: YAMLNode, _ path: String, global: GlobalConfig) -> ProviderConfig? {
        guard let f = fields(node, path, allowed: Self.providerKeys) else { return nil }
        guard let nameNode = f["name"]?.value else {
            error(node, path, "missing key 'name'")
            return nil
        }
        guard let name = string(nameNode, "\(path).name") else { return nil }
        if !Self.isName(name) {
            error(nameNode, "\(path).name", "'\(name)' must be 1-64 characters of a-z, 0-9, _ and -")
        }
        var preset: Preset? = nil
        if let n = f["preset"]?.value, let presetName = string(n, "\(path).preset") {
            preset = Preset.named(presetName)
            if preset == nil {
                let hint = Options.closest(presetName, among: Preset.all.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                error(n, "\(path).preset", "unknown preset '\(presetName)'\(hint); known: \(Preset.all.map(\.name).joined(separator: ", "))")
            }
        }
        var provider = ProviderConfig(name: name, preset: preset?.name, auth: preset?.auth ?? .bearer,
                                      pagination: preset?.pagination ?? .none, balance: preset?.balance,
                                      chat: preset == nil ? .openai : preset?.chat, baseURL: preset?.baseURL,
                                      modelsPath: preset?.modelsPath ?? "/models", statusPage: preset?.statusPage)
        provider.chatMaxTokensField = preset?.chatMaxTokensField ?? "max_tokens"
        if let n = f["base_url"]?.value, let u = url(n, "\(path).base_url") {
            provider.baseURL = u.hasSuffix("/") ? String(u.dropLast()) : u
        } else if preset != nil && preset?.baseURL == nil && f["base_url"] == nil {
            error(node, path, "preset '\(preset!.name)' needs base_url")
        }
        if let n = f["models_path"]?.value, let p = string(n, "\(path).models_path") {
            if p.hasPrefix("/") { provider.modelsPath = p } else { error(n, "\(path).models_path", "must start with /") }
        }
        if let n = f["priority"]?.value { provider.priority = int(n, "\(path).priority", min: 0) }
        provider.apiKey = resolveKey(f, path, into: &provider)
        if provider.apiKeySource == nil, let preset,
           let variable = preset.keyVariables.first(where: { environment.variable($0).map { !$0.isEmpty } ?? false }) {
            // Like the built-in default: a preset provider without a key source
            // takes its conventional variable, so a saved --config.print output
            // gains the preset's checks when the key is exported later.
            provider.apiKeySource = .presetVariable(variable)
            provider.apiKey = environment.variable(variable).map(Secret.init)
        }
        if let n = f["secret_headers_env"]?.value, let pairs = headers(n, "\(path).secret_headers_env") {
            for (header, variable) in pairs {
                guard let value = environment.variable(variable), !value.isEmpty else {
                    error(n, "\(path).secret_headers_env", "environment variable \(variable) for header \(header) is not set")
                    continue
                }
                provider.secretHeaders.append((header, variable, Secret(value)))
            }
        }
        if let n = f["tls"]?.value { provider.tls = tls(n, "\(path).tls") }
        if let n = f["status_page"]?.value {
            if case .bool(false)? = n.resolved {
                provider.statusPage = nil
            } else {
                provider.statusPage = statusPage(n, "\(path).status_page")
            }
        }

        let base = Defaults(interval: global.interval, timeout: global.timeout, failureThreshold: global.failureThreshold,
                            degradedLatency: global.degradedLatency)
        let defaults = overrides(f, path, base)
        provider.headers = defaults.headers
        provider.checkDefaults.interval = defaults.interval
        provider.checkDefaults.timeout = defaults.timeout
        provider.checkDefaults.failureThreshold = defaults.failureThreshold
        provider.checkDefaults.degradedLatency = defaults.degradedLatency
        provider.checkDefaults.expectStatus = defaults.expectStatus
        provider.statusPage?.interval = defaults.interval
        provider.statusPage?.timeout = defaults.timeout
        if let n = f["checks"]?.value {
            guard case .sequence(let items) = n.kind else {
                error(n, "\(path).checks", "expected a list of checks")
                return provider
            }
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let checkPath = "\(path).checks[\(i)]"
                guard let check = decodeCheck(item, checkPath, defaults: defaults, provider: provider) else { continue }
                if !seen.insert(check.name).inserted {
                    error(item, checkPath, "duplicate check name '\(check.name)'")
                    continue
                }
                provider.checks.append(check)
            }
        } else if let preset, provider.apiKey != nil || !preset.modelsCheckNeedsKey {
            // SPEC section 5: the preset's default check (`models`; OpenRouter's `key`).
            provider.checksFromPreset = true
            let check = CheckConfig(name: preset.defaultCheck.name, type: preset.defaultCheck.type,
                                    interval: defaults.interval, timeout: defaults.timeout,
                                    failureThreshold: defaults.failureThreshold, degradedLatency: defaults.degradedLatency,
                                    expectStatus: defaults.expectStatus, headers: defaults.headers, tls: provider.tls)
            checkTiming(check, defaults.timingNode ?? (node, path))
            provider.checks.append(check)
        }
        // An unknown preset was reported already; what it would have added is unknown.
        let presetFailed = f["preset"] != nil && preset == nil
        if provider.checks.isEmpty && provider.statusPage == nil && f["checks"] == nil && !presetFailed {
            let why = preset.map { p in
                p.keyVariables.isEmpty ? "" : " (export \(p.keyVariables[0]), or set api_key_env, for the preset's \(p.defaultCheck.name) check)"
            } ?? ""
            error(node, path, "nothing to monitor: no checks and no status page\(why)")
        } else if f["checks"] == nil && preset != nil {
            provider.checksFromPreset = true
        }
        return provider
    }

    mutating func resolveKey(_ f: [String: (key: YAMLNode, value: YAMLNode)], _ path: String, into provider: inout ProviderConfig) -> Secret? {
        let envNode = f["api_key_env"]?.value, fileNode = f["api_key_file"]?.value
        if let envNode, fileNode != nil {
            error(envNode, path, "api_key_env and api_key_file are mutually exclusive")
            return nil
        }
        if let envNode, let variable = string(envNode, "\(path).api_key_env") {
            provider.apiKeySource = .environment(variable)
            guard let value = environment.variable(variable), !value.isEmpty else {
                error(envNode, "\(path).api_key_env", "environment variable \(variable) is not set")
                return nil
            }
            return Secret(value)
        }
        if let fileNode, let file = string(fileNode, "\(path).api_key_file") {
            provider.apiKeySource = .file(file)
            guard let bytes = environment.readFile(file) else {
                error(fileNode, "\(path).api_key_file", "cannot read '\(file)'")
                return nil
            }
            var text = String(decoding: bytes, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else {
                error(fileNode, "\(path).api_key_file", "'\(file)' is empty")
                return nil
            }
            return Secret(text)
        }
        return nil
    }

    mutating func statusPage(_ node: YAMLNode, _ path: String) -> StatusPageConfig? {
        guard let f = fields(node, path, allowed: Self.statusPageKeys) else { return nil }
        guard let urlNode = f["url"]?.value else {
            error(node, path, "missing key 'url' (or write status_page: false)")
            return nil
        }
        guard let pageURL = url(urlNode, "\(path).url") else { return nil }
        var format = StatusPageFormat.statuspage
        if let n = f["format"]?.value, let text = string(n, "\(path).format") {
            if let parsed = StatusPageFormat(rawValue: text) {
                format = parsed
            } else {
                error(n, "\(path).format", "unknown format '\(text)'; known: \(StatusPageFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var page = StatusPageConfig(url: pageURL, format: format)
        if let n = f["components"]?.value { page.components = stringList(n, "\(path).components") }
        if let n = f["max_components"]?.value { page.maxComponents = int(n, "\(path).max_components", min: 1, max: 10_000) ?? 50 }
        if let n = f["products"]?.value { page.products = stringList(n, "\(path).products") }
        if let n = f["follow_redirects"]?.value { page.followRedirects = bool(n, "\(path).follow_redirects") ?? true }
        if format == .google_cloud && page.products == nil {
            error(node, path, "format google_cloud needs products: [...]")
        }
        return page
    }

    mutating func checkTiming(_ check: CheckConfig, _ location: (node: YAMLNode, path: String)) {
        if check.timeout >= check.interval {
            error(location.node, location.path, "timeout \(check.timeout) must be shorter than interval \(check.interval)")
        }
    }

    mutating func decodeCheck(_ node: YAMLNode, _ path: String, defaults: Defaults, provider: ProviderConfig) -> CheckConfig? {
        guard let f = fields(node, path, allowed: Self.checkKeys) else { return nil }
        guard let nameNode = f["name"]?.value, let typeNode = f["type"]?.value else {
            error(node, path, "missing key '\(f["name"] == nil ? "name" : "type")'")
            return nil
        }
        guard let name = string(nameNode, "\(path).name"), let typeText = string(typeNode, "\(path).type") else { return nil }
        if !Self.isName(name) {
            error(nameNode, "\(path).name", "'\(name)' must be 1-64 characters of a-z, 0-9, _ and -")
        } else if name == "status_page" {
            error(nameNode, "\(path).name", "'status_page' is reserved for the provider's status page")
        }
        guard let type = CheckType(rawValue: typeText) else {
            error(typeNode, "\(path).type", "unknown check type '\(typeText)'; known: \(CheckType.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var d = overrides(f, path, defaults)
        // A chat check costs tokens: 5 minutes unless the check itself says otherwise.
        if type == .chat && f["interval"] == nil { d.interval = .seconds(300) }
        var check = CheckConfig(name: name, type: type, interval: d.interval, timeout: d.timeout,
                                failureThreshold: d.failureThreshold, degradedLatency: d.degradedLatency,
                                expectStatus: d.expectStatus, headers: d.headers, tls: provider.tls)
        checkTiming(check, d.timingNode ?? (node, path))
        if let n = f["tls"]?.value { check.tls = tls(n, "\(path).tls") }
        if let n = f["reuse_connections"]?.value { check.reuseConnections = bool(n, "\(path).reuse_connections") ?? false }
        for key in ["model", "max_tokens", "stream"] where type != .chat && f[key] != nil {
            error(f[key]!.key, path, "'\(key)' applies to chat checks, not \(type.rawValue)")
        }
        switch type {
        case .chat:
            for key in ["url", "method", "body", "expect_body", "follow_redirects", "expect_model"] where f[key] != nil {
                error(f[key]!.key, path, "'\(key)' does not apply to chat checks")
            }
            if let n = f["model"]?.value { check.model = string(n, "\(path).model") } else { error(node, path, "missing key 'model' (chat checks need one)") }
            if let n = f["max_tokens"]?.value { check.maxTokens = int(n, "\(path).max_tokens", min: 1, max: 4096) ?? 1 }
            if let n = f["stream"]?.value { check.stream = bool(n, "\(path).stream") ?? false }
            if provider.chat == nil {
                error(typeNode, "\(path).type", "preset '\(provider.preset ?? "")' has no chat dialect here; use a models or http check")
            }
            if provider.baseURL == nil {
                error(node, path, "a chat check needs the provider's base_url (or a preset that has one)")
            }
        case .balance:
            for key in ["url", "method", "body", "expect_body", "follow_redirects", "expect_model"] where f[key] != nil {
                error(f[key]!.key, path, "'\(key)' does not apply to balance checks")
            }
            if provider.balance == nil {
                let known = Preset.all.filter { $0.balance != nil }.map(\.name).joined(separator: ", ")
                error(typeNode, "\(path).type", "balance checks need a preset with a balance endpoint (\(known))")
            }
            if provider.apiKey == nil && provider.apiKeySource == nil {
                error(node, path, "a balance check needs the provider's API key (api_key_env or api_key_file)")
            }
        case .models:
            for key in ["url", "method", "body", "expect_body", "follow_redirects"] where f[key] != nil {
                error(f[key]!.key, path, "'\(key)' applies to http checks, not models")
            }
            if let n = f["expect_model"]?.value { check.expectModel = string(n, "\(path).expect_model") }
            if provider.baseURL == nil {
                error(node, path, "a models check needs the provider's base_url (or a preset that has one)")
            }
        case .http:
            if let n = f["expect_model"] { error(n.key, path, "'expect_model' applies to models checks, not http") }
            guard let urlNode = f["url"]?.value else {
                error(node, path, "missing key 'url' (http checks need one)")
                return nil
            }
            check.url = url(urlNode, "\(path).url")
            if let n = f["method"]?.value, let m = string(n, "\(path).method") {
                let upper = m.uppercased()
                if ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(upper) {
                    check.method = upper
                } else {
                    error(n, "\(path).method", "unknown method '\(m)'")
                }
            }
            if let n = f["body"]?.value { check.body = string(n, "\(path).body") }
            if let n = f["expect_body"]?.value, let pattern = string(n, "\(path).expect_body") {
                do {
                    _ = try Regex(pattern)
                    check.expectBody = pattern
                } catch {
                    self.error(n, "\(path).expect_body", "invalid regular expression: \(error)")
                }
            }
            if let n = f["follow_redirects"]?.value { check.followRedirects = bool(n, "\(path).follow_redirects") ?? true }
        }
        return check
    }
}
