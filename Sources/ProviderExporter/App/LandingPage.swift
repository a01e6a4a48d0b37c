/// The small HTML page at `/`: the providers best first, the last probes with
/// links to their debug reports, and the endpoints. No script: `?refresh=N`
/// (5 to 3600 seconds) makes the browser reload it every N seconds.
enum LandingPage {
    static func response(telemetryPath: String, providers: [ProviderRecord], recent: [ProbeJournal.Entry] = [],
                         now: Double = Posix.wallSeconds(), refresh: Int? = nil) -> HTTPResponse {
        let path = escapeHTML(telemetryPath)
        let rows = ProviderAPI.sorted(providers).map { p -> String in
            let lastProbe = (p.checks.compactMap(\.lastProbeAt) + [p.statusPage?.lastFetchAt].compactMap { $0 }).max()
            let lastError = p.checks.compactMap(\.lastError).first ?? p.statusPage?.lastError ?? ""
            let incidents = (p.statusPage?.state?.incidents ?? []).map { "\($0.impact.rawValue): \($0.name) (\($0.status))" }
                .joined(separator: "; ")
            let checks = p.checks.map { c -> String in
                let latency = c.lastDuration.map { " " + FloatFormat.format(($0 * 1000).rounded() / 1000) + " s" } ?? ""
                return "\(c.config.name): \(c.lastResult?.rawValue ?? "pending")\(latency)"
            }.joined(separator: ", ")
            return "<tr><td>\(escapeHTML(p.config.name))</td><td class=\"\(p.health.rawValue)\">\(p.health.rawValue)</td>"
                + "<td>\(escapeHTML(checks.isEmpty ? "status page only" : checks))</td>"
                + "<td>\(escapeHTML(lowestRemaining(p)))</td>"
                + "<td>\(lastProbe.map { when($0, now: now) } ?? "never")</td>"
                + "<td>\(escapeHTML(incidents.isEmpty ? (p.statusPage == nil ? "" : "none") : incidents))</td>"
                + "<td>\(escapeHTML(lastError))</td></tr>"
        }.joined(separator: "\n")
        let probes = recent.map { e -> String in
            let duration = FloatFormat.format((e.duration * 1000).rounded() / 1000) + " s"
            return "<tr class=\"\(e.failed ? "failed" : "ok")\"><td>\(when(e.finishedAt, now: now))</td>"
                + "<td>\(escapeHTML(e.provider))</td><td>\(escapeHTML(e.check))</td>"
                + "<td>\(e.failed ? "&#10007; " : "")\(escapeHTML(e.result))</td><td>\(duration)</td>"
                + "<td>\(escapeHTML(e.source.rawValue))</td><td><a href=\"/probe?debug=true&amp;id=\(e.id)\">report</a></td></tr>"
        }.joined(separator: "\n")
        let seconds = refresh.map { min(3600, max(5, $0)) }
        let meta = seconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        let refreshLink = seconds == nil ? "<a href=\"/?refresh=15\">refresh every 15 s</a>"
            : "refreshing every \(seconds!) s (<a href=\"/\">stop</a>)"
        let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>provider_exporter</title>\(meta)
        <style>body{font-family:sans-serif;margin:2em;max-width:80em}code{background:#eee;padding:0 .2em}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
        .healthy{color:#080}.degraded{color:#a60}.down{color:#c00;font-weight:bold}.unknown{color:#666}
        tr.failed td{background:#fee}.ago{color:#666}</style></head>
        <body>
        <h1>provider_exporter</h1>
        <p>Probes AI/LLM API providers and their status pages for Prometheus.</p>
        <p>Version <code>\(escapeHTML(BuildInfo.version))</code>, revision <code>\(escapeHTML(BuildInfo.revision))</code>, Swift <code>\(escapeHTML(BuildInfo.swiftVersion))</code>. Page generated \(Dates.format(now)); \(refreshLink).</p>
        <h2>Providers</h2>
        <table id="providers">
        <tr><th>provider</th><th>state</th><th>checks: last result and latency</th><th>lowest rate-limit remaining</th><th>last probe</th><th>open incidents</th><th>last error</th></tr>
        \(rows)
        </table>
        <h2>Recent probes</h2>
        <p>The last \(ProbeJournal.capacity) probes, newest first; each report shows the provider's exact answer (keys as <code>&lt;secret&gt;</code>).</p>
        <table id="recent">
        <tr><th>when</th><th>provider</th><th>check</th><th>result</th><th>duration</th><th>asked by</th><th>debug report</th></tr>
        \(probes)
        </table>
        <h2>Endpoints</h2>
        <ul>
        <li><a href="\(path)">\(path)</a>: metrics</li>
        <li><a href="/api/v1/providers">/api/v1/providers</a>: providers as JSON, best first</li>
        <li><a href="/config">/config</a>: the effective config</li>
        <li><code>/probe?target=NAME[&amp;module=CHECK][&amp;debug=true]</code>: one provider's series, or with <code>debug=true</code> the report of its probe</li>
        <li><a href="/-/healthy">/-/healthy</a>: liveness</li>
        <li><a href="/-/ready">/-/ready</a>: readiness</li>
        </ul>
        </body>
        </html>

        """
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    /// A time and how long ago it was: `2026-12-02T05:55:01Z (12 s ago)`.
    static func when(_ t: Double, now: Double) -> String {
        "\(Dates.format(t)) <span class=\"ago\">(\(ago(now - t)))</span>"
    }

    static func ago(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 120 { return "\(s) s ago" }
        if s < 7200 { return "\(s / 60) min ago" }
        if s < 172_800 { return "\(s / 3600) h ago" }
        return "\(s / 86400) d ago"
    }

    /// The lowest share of a rate-limit window left among the provider's
    /// checks, as the last responses said: `12% requests (models)`.
    static func lowestRemaining(_ p: ProviderRecord) -> String {
        var lowest: (share: Double, text: String)?
        for c in p.checks {
            for (resource, w) in c.rateLimits {
                guard let limit = w.limit, let remaining = w.remaining, limit > 0 else { continue }
                let share = remaining / limit
                if lowest == nil || share < lowest!.share {
                    lowest = (share, "\(Int((share * 100).rounded(.down)))% \(resource.rawValue) (\(c.config.name))")
                }
            }
        }
        return lowest?.text ?? ""
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
