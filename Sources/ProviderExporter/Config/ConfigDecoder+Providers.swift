/// The document, `global:` and `providers:` (README, "Configuration").
extension ConfigDecoder {
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
        if let n = f["interval"]?.value, let d = duration(n, "global.interval") { g.checks.interval = d }
        if let n = f["timeout"]?.value, let d = duration(n, "global.timeout") { g.checks.timeout = d }
        if let n = f["failure_threshold"]?.value, let v = int(n, "global.failure_threshold", min: 1) { g.checks.failureThreshold = v }
        if let n = f["degraded_latency"]?.value, let d = duration(n, "global.degraded_latency") { g.checks.degradedLatency = d }
        if let n = f["backoff_max"]?.value, let d = duration(n, "global.backoff_max", allowZero: true) { g.backoffMax = d }
        if let n = f["max_concurrent_probes"]?.value, let v = int(n, "global.max_concurrent_probes", min: 1, max: 100_000) {
            g.maxConcurrentProbes = v
        }
        if let n = f["buckets"]?.value { g.buckets = buckets(n, "global.buckets") ?? g.buckets }
        if g.checks.timeout >= g.checks.interval, let n = f["timeout"]?.value ?? f["interval"]?.value {
            error(n, "global", "timeout \(g.checks.timeout) must be shorter than interval \(g.checks.interval)")
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
        var checks: CheckDefaults
        var headers: [(name: String, value: String)] = []
        /// The node that set the timeout or interval, for the error location.
        var timingNode: (node: YAMLNode, path: String)?
    }

    mutating func overrides(_ f: [String: (key: YAMLNode, value: YAMLNode)], _ path: String, _ base: Defaults) -> Defaults {
        var d = base
        if let n = f["interval"]?.value, let v = duration(n, "\(path).interval") { d.checks.interval = v; d.timingNode = (n, path) }
        if let n = f["timeout"]?.value, let v = duration(n, "\(path).timeout") { d.checks.timeout = v; d.timingNode = (n, path) }
        if let n = f["failure_threshold"]?.value, let v = int(n, "\(path).failure_threshold", min: 1) { d.checks.failureThreshold = v }
        if let n = f["degraded_latency"]?.value, let v = duration(n, "\(path).degraded_latency") { d.checks.degradedLatency = v }
        if let n = f["expect_status"]?.value, let v = expectStatus(n, "\(path).expect_status") { d.checks.expectStatus = v }
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
                let hint = Spelling.closest(presetName, among: Preset.all.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
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

        let defaults = overrides(f, path, Defaults(checks: global.checks))
        provider.headers = defaults.headers
        provider.checkDefaults = defaults.checks
        provider.statusPage?.interval = defaults.checks.interval
        provider.statusPage?.timeout = defaults.checks.timeout
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
            // README, "Providers": the preset's default check (`models`; OpenRouter's `key`).
            provider.checksFromPreset = true
            let kind: CheckKind = switch (preset.defaultCheck.type, preset.balance) {
            case (.balance, let dialect?): .balance(dialect)
            default: .models(expectModel: nil)
            }
            let check = CheckConfig(name: preset.defaultCheck.name, kind: kind, defaults: defaults.checks,
                                    headers: defaults.headers, tls: provider.tls)
            checkTiming(check, defaults.timingNode)
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
}
