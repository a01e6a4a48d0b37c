/// A provider's checks and its status page (README, "Configuration").
extension ConfigDecoder {
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

    /// A timeout that does not fit its interval, reported where the provider or
    /// check set one of them; timing inherited from `global:` whole was
    /// reported there, once.
    mutating func checkTiming(_ check: CheckConfig, _ location: (node: YAMLNode, path: String)?) {
        if let location, check.timeout >= check.interval {
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
        } else if name == StatusPageConfig.checkName {
            error(nameNode, "\(path).name", "'\(name)' is reserved for the provider's status page")
        }
        guard let type = CheckType(rawValue: typeText) else {
            error(typeNode, "\(path).type", "unknown check type '\(typeText)'; known: \(CheckType.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        // Keys of another type: each names the type it belongs to.
        for other in CheckType.allCases where other != type {
            for key in other.keys where f[key] != nil && !type.keys.contains(key) {
                error(f[key]!.key, path, "'\(key)' applies to \(other.rawValue) checks, not \(type.rawValue)")
            }
        }
        var d = overrides(f, path, defaults)
        // A chat check costs tokens: 5 minutes unless the check itself says otherwise.
        if type == .chat && f["interval"] == nil { d.checks.interval = .seconds(300) }
        guard let kind = decodeKind(type, f, node, typeNode, path, provider: provider) else { return nil }
        var check = CheckConfig(name: name, kind: kind, defaults: d.checks, headers: d.headers, tls: provider.tls)
        checkTiming(check, d.timingNode)
        if let n = f["tls"]?.value { check.tls = tls(n, "\(path).tls") }
        if let n = f["reuse_connections"]?.value { check.reuseConnections = bool(n, "\(path).reuse_connections") ?? false }
        return check
    }

    /// The type's own fields, with its dialect resolved from the provider;
    /// nil (with the errors reported) when they cannot make a check.
    mutating func decodeKind(_ type: CheckType, _ f: [String: (key: YAMLNode, value: YAMLNode)], _ node: YAMLNode,
                             _ typeNode: YAMLNode, _ path: String, provider: ProviderConfig) -> CheckKind? {
        switch type {
        case .models:
            if provider.baseURL == nil {
                error(node, path, "a models check needs the provider's base_url (or a preset that has one)")
            }
            return .models(expectModel: f["expect_model"].flatMap { string($0.value, "\(path).expect_model") })
        case .chat:
            let model = f["model"].flatMap { string($0.value, "\(path).model") }
            if f["model"] == nil { error(node, path, "missing key 'model' (chat checks need one)") }
            if provider.chat == nil {
                error(typeNode, "\(path).type", "preset '\(provider.preset ?? "")' has no chat dialect here; use a models or http check")
            }
            if provider.baseURL == nil {
                error(node, path, "a chat check needs the provider's base_url (or a preset that has one)")
            }
            var spec = ChatSpec(model: model ?? "", dialect: provider.chat ?? .openai)
            if let n = f["max_tokens"]?.value { spec.maxTokens = int(n, "\(path).max_tokens", min: 1, max: 4096) ?? 1 }
            if let n = f["stream"]?.value { spec.stream = bool(n, "\(path).stream") ?? false }
            guard model != nil, provider.chat != nil else { return nil }
            return .chat(spec)
        case .balance:
            guard let dialect = provider.balance else {
                let known = Preset.all.filter { $0.balance != nil }.map(\.name).joined(separator: ", ")
                error(typeNode, "\(path).type", "balance checks need a preset with a balance endpoint (\(known))")
                return nil
            }
            if provider.apiKey == nil && provider.apiKeySource == nil {
                error(node, path, "a balance check needs the provider's API key (api_key_env or api_key_file)")
            }
            return .balance(dialect)
        case .http:
            guard let urlNode = f["url"]?.value else {
                error(node, path, "missing key 'url' (http checks need one)")
                return nil
            }
            var spec = HTTPSpec(url: url(urlNode, "\(path).url") ?? "")
            if let n = f["method"]?.value, let m = string(n, "\(path).method") {
                let upper = m.uppercased()
                if ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(upper) {
                    spec.method = upper
                } else {
                    error(n, "\(path).method", "unknown method '\(m)'")
                }
            }
            if let n = f["body"]?.value { spec.body = string(n, "\(path).body") }
            if let n = f["expect_body"]?.value, let pattern = string(n, "\(path).expect_body") {
                do {
                    _ = try Regex(pattern)
                    spec.expectBody = pattern
                } catch {
                    self.error(n, "\(path).expect_body", "invalid regular expression: \(error)")
                }
            }
            if let n = f["follow_redirects"]?.value { spec.followRedirects = bool(n, "\(path).follow_redirects") ?? true }
            return .http(spec)
        }
    }
}
