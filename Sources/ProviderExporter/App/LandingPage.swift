/// The small HTML page at `/`.
enum LandingPage {
    static func response(telemetryPath: String) -> HTTPResponse {
        let path = escapeHTML(telemetryPath)
        let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>provider_exporter</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:60em}code{background:#eee;padding:0 .2em}</style></head>
        <body>
        <h1>provider_exporter</h1>
        <p>Probes AI/LLM API providers and their status pages for Prometheus.</p>
        <p>Version <code>\(escapeHTML(BuildInfo.version))</code>, revision <code>\(escapeHTML(BuildInfo.revision))</code>, Swift <code>\(escapeHTML(BuildInfo.swiftVersion))</code>.</p>
        <ul>
        <li><a href="\(path)">\(path)</a>: metrics</li>
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
