/// The small HTML page at `/`.
enum LandingPage {
    static func response(telemetryPath: String, providers: [ProviderRecord]) -> HTTPResponse {
        let path = escapeHTML(telemetryPath)
        let rows = ProviderAPI.sorted(providers).map { p -> String in
            let lastProbe = (p.checks.compactMap(\.lastProbeAt) + [p.statusPage?.lastFetchAt].compactMap { $0 })
                .max().map { Logger.rfc3339($0) } ?? "never"
            let lastError = p.checks.compactMap(\.lastError).first ?? p.statusPage?.lastError ?? ""
            let incidents = (p.statusPage?.state?.incidents ?? []).map { "\($0.impact.rawValue): \($0.name) (\($0.status))" }
                .joined(separator: "; ")
            let checks = p.checks.map { c in "\(c.config.name): \(c.lastResult?.rawValue ?? "pending")" }.joined(separator: ", ")
            return "<tr><td>\(escapeHTML(p.config.name))</td><td class=\"\(p.health.rawValue)\">\(p.health.rawValue)</td>"
                + "<td>\(escapeHTML(checks.isEmpty ? "status page only" : checks))</td><td>\(lastProbe)</td>"
                + "<td>\(escapeHTML(incidents))</td><td>\(escapeHTML(lastError))</td></tr>"
        }.joined(separator: "\n")
        let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>provider_exporter</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:70em}code{background:#eee;padding:0 .2em}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
        .healthy{color:#080}.degraded{color:#a60}.down{color:#c00;font-weight:bold}.unknown{color:#666}</style></head>
        <body>
        <h1>provider_exporter</h1>
        <p>Probes AI/LLM API providers and their status pages for Prometheus.</p>
        <p>Version <code>\(escapeHTML(BuildInfo.version))</code>, revision <code>\(escapeHTML(BuildInfo.revision))</code>, Swift <code>\(escapeHTML(BuildInfo.swiftVersion))</code>.</p>
        <h2>Providers</h2>
        <table>
        <tr><th>provider</th><th>state</th><th>checks</th><th>last probe</th><th>incidents</th><th>last error</th></tr>
        \(rows)
        </table>
        <h2>Endpoints</h2>
        <ul>
        <li><a href="\(path)">\(path)</a>: metrics</li>
        <li><a href="/api/v1/providers">/api/v1/providers</a>: providers as JSON, best first</li>
        <li><a href="/config">/config</a>: the effective config</li>
        <li><a href="/-/healthy">/-/healthy</a>: liveness</li>
        <li><a href="/-/ready">/-/ready</a>: readiness</li>
        </ul>
        </body>
        </html>

        """
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
