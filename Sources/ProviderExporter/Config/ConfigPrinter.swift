/// Renders the effective config as YAML (for `--config.print` and `/config`):
/// defaults and presets expanded, every check with its resolved settings.
/// Secrets never appear: key and header sources are printed by name with a
/// `# <secret>` comment, and the output parses back to the same config.
public enum ConfigPrinter {
    public static func yaml(_ config: ExporterConfig) -> String {
        let g = config.global
        var out = """
        global:
          interval: \(g.checks.interval)
          timeout: \(g.checks.timeout)
          failure_threshold: \(g.checks.failureThreshold)
          degraded_latency: \(g.checks.degradedLatency)
          backoff_max: \(g.backoffMax)
          max_concurrent_probes: \(g.maxConcurrentProbes)
          buckets: [\(g.buckets.map(FloatFormat.format).joined(separator: ", "))]
        providers:

        """
        for p in config.providers {
            out += "  - name: \(scalar(p.name))\n"
            if let preset = p.preset { out += "    preset: \(scalar(preset))\n" }
            if let base = p.baseURL { out += "    base_url: \(scalar(base))\n" }
            out += "    models_path: \(scalar(p.modelsPath))\n"
            switch p.apiKeySource {
            case .environment(let name)?: out += "    api_key_env: \(scalar(name))  # <secret>\n"
            case .file(let path)?: out += "    api_key_file: \(scalar(path))  # <secret>\n"
            case .presetVariable(let name)?: out += "    # key: <secret> from \(name), the preset's variable\n"
            case nil: break
            }
            if let priority = p.priority { out += "    priority: \(priority)\n" }
            if !p.secretHeaders.isEmpty {
                out += "    secret_headers_env: {" + p.secretHeaders.map { "\(scalar($0.name)): \(scalar($0.variable))" }
                    .joined(separator: ", ") + "}  # values: <secret>\n"
            }
            if let tls = p.tls { out += "    tls: \(tlsYAML(tls))\n" }
            // The provider's settings for its checks (and its status page).
            let d = p.checkDefaults
            out += "    interval: \(d.interval)\n    timeout: \(d.timeout)\n"
            out += "    failure_threshold: \(d.failureThreshold)\n    degraded_latency: \(d.degradedLatency)\n"
            out += "    expect_status: \(d.expectStatus)\n"
            if !p.headers.isEmpty {
                out += "    headers: {" + p.headers.map { "\(scalar($0.name)): \(scalar($0.value))" }.joined(separator: ", ") + "}\n"
            }
            if let page = p.statusPage {
                out += "    status_page: \(statusPageYAML(page))\n"
            } else {
                out += "    status_page: false\n"
            }
            if p.checksFromPreset {
                // No `checks:` key, so the saved config keeps following the key:
                // the preset's check appears when it is exported, as here.
                let preset = p.preset.flatMap(Preset.named)
                let shown = p.checks.isEmpty ? preset.map { "none until \($0.keyVariables.first ?? "a key") is set" } ?? "none"
                    : p.checks.map(\.name).joined(separator: ", ")
                out += "    # checks from the preset: \(shown)\n"
                continue
            }
            out += "    checks:\n"
            if p.checks.isEmpty { out.removeLast("    checks:\n".count); out += "    checks: []\n" }
            for c in p.checks { out += checkYAML(c, providerTLS: p.tls) }
        }
        return out
    }

    /// One check as a YAML list item of a provider's `checks:` (six spaces in).
    static func checkYAML(_ c: CheckConfig, providerTLS: TLSConfig?) -> String {
        var out = "      - name: \(scalar(c.name))\n"
        out += "        type: \(c.type.rawValue)\n"
        out += "        interval: \(c.interval)\n"
        out += "        timeout: \(c.timeout)\n"
        out += "        failure_threshold: \(c.failureThreshold)\n"
        out += "        degraded_latency: \(c.degradedLatency)\n"
        out += "        expect_status: \(c.expectStatus)\n"
        if !c.headers.isEmpty {
            out += "        headers: {" + c.headers.map { "\(scalar($0.name)): \(scalar($0.value))" }.joined(separator: ", ") + "}\n"
        }
        if let m = c.expectModel { out += "        expect_model: \(scalar(m))\n" }
        switch c.kind {
        case .models, .balance: break
        case .chat(let spec):
            out += "        model: \(scalar(spec.model))\n"
            out += "        max_tokens: \(spec.maxTokens)\n"
            out += "        stream: \(spec.stream)\n"
        case .http(let spec):
            out += "        url: \(scalar(spec.url))\n"
            out += "        method: \(spec.method)\n"
            if let body = spec.body { out += "        body: \(scalar(body))\n" }
            if let e = spec.expectBody { out += "        expect_body: \(scalar(e))\n" }
            out += "        follow_redirects: \(spec.followRedirects)\n"
        }
        out += "        reuse_connections: \(c.reuseConnections)\n"
        if let tls = c.tls, tls != providerTLS { out += "        tls: \(tlsYAML(tls))\n" }
        return out
    }

    /// A status page as the flow mapping `status_page:` takes.
    static func statusPageYAML(_ page: StatusPageConfig) -> String {
        var fields = ["url: \(scalar(page.url))", "format: \(page.format.rawValue)"]
        if let c = page.components { fields.append("components: \(list(c))") }
        fields.append("max_components: \(page.maxComponents)")
        if let products = page.products { fields.append("products: \(list(products))") }
        if !page.followRedirects { fields.append("follow_redirects: false") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func tlsYAML(_ tls: TLSConfig) -> String {
        var fields: [String] = []
        if let ca = tls.caFile { fields.append("ca_file: \(scalar(ca))") }
        fields.append("insecure_skip_verify: \(tls.insecureSkipVerify)")
        if let name = tls.serverName { fields.append("server_name: \(scalar(name))") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func list(_ items: [String]) -> String { "[" + items.map(scalar).joined(separator: ", ") + "]" }

    /// A string as a YAML scalar: plain when it reads back as the same string
    /// in any context (block or flow), double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        let special = ":#,[]{}&*!|>'\"%@`"
        let plainSafe = !text.isEmpty
            && YAMLNode.resolve(plain: text) == .string(text)
            && !text.contains(where: { special.contains($0) || $0 == "\\" || $0.isWhitespace && $0 != " " })
            && !text.hasPrefix(" ") && !text.hasSuffix(" ") && !text.hasPrefix("-") && !text.hasPrefix("?")
            && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if plainSafe { return text }
        // YAML's double-quoted style accepts every JSON string escape.
        return JSONString.quote(text)
    }

    /// One line per provider for `--config.check`.
    public static func summary(_ config: ExporterConfig) -> [String] {
        config.providers.map { p in
            let checks = p.checks.map { "\($0.name) (\($0.type.rawValue) every \($0.interval))" }
            var parts = ["provider \(p.name)"]
            if let preset = p.preset { parts.append("preset \(preset)") }
            parts.append(checks.isEmpty ? "no API checks" : "checks: " + checks.joined(separator: ", "))
            if let page = p.statusPage { parts.append("status page \(page.url) (\(page.format.rawValue))") }
            if let source = p.apiKeySource { parts.append("key from \(source)") }
            return parts.joined(separator: "; ")
        }
    }
}
