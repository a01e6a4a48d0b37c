/// The plain-text debug report of one probe (`/probe?debug=true`, and the
/// landing page's recent probes): what was sent and answered, how it was
/// classified and by which rule, what it did to the state, the series it left
/// and the check's effective config. Built from a `ProbeJournal` entry, whose
/// texts are already secret-free (secret headers read `<secret>`, and every
/// text from the network passed the provider's redaction).
enum ProbeReport {
    static func render(_ e: ProbeJournal.Entry) -> String {
        var out = "probe #\(e.id) of \(e.provider)/\(e.check), asked by \(e.source.rawValue)\n"
        out += "finished \(Dates.format(e.finishedAt)) after \(FloatFormat.format(rounded(e.duration))) s\n"
        out += "result: \(e.result)\n"
        switch e.detail {
        case .api(let o):
            if let rule = o.rule { out += "rule: \(rule)\n" }
            if let error = o.error { out += "error: \(error)\n" }
            out += "state: \(e.stateBefore.rawValue) -> \(e.stateAfter.rawValue)\n"
            out += exchanges(o.hops, redaction: redaction(e.snapshot.config))
            if let ph = o.phases {
                out += "\nphases (first request): resolve \(seconds(ph.resolve)), connect \(seconds(ph.connect)), "
                    + "tls \(seconds(ph.tls)), processing \(seconds(ph.processing)), transfer \(seconds(ph.transfer))\n"
            }
            out += "\nrate limits:"
            if o.rateLimits.windows.isEmpty {
                out += " none in the response (the check's rate-limit series are absent)\n"
            } else {
                out += "\n"
                for (resource, w) in o.rateLimits.windows.sorted(by: { $0.key < $1.key }) {
                    let reset = w.reset.map { Dates.format($0) } ?? "unknown"
                    out += "  \(resource.rawValue): limit \(w.limit.map(FloatFormat.format) ?? "-"), "
                        + "remaining \(w.remaining.map(FloatFormat.format) ?? "-"), reset \(reset)\n"
                }
            }
            out += "retry hint: " + (o.rateLimits.retryAfter.map { "\(FloatFormat.format($0)) s" } ?? "none") + "\n"
        case .page(let outcome, let hops):
            out += "state: \(e.stateBefore.rawValue) -> \(e.stateAfter.rawValue)\n"
            switch outcome {
            case .ok: out += "fetch: parsed\n"
            case .notModified: out += "fetch: 304 Not Modified, the last parsed state stands\n"
            case .error(let text): out += "fetch failed: \(text) (the last good state is kept)\n"
            }
            out += exchanges(hops, redaction: redaction(e.snapshot.config))
            if let page = e.snapshot.statusPage, let s = page.state {
                out += "\nindicator: \(s.indicator.rawValue); level for the state rules: \(page.level.rawValue)\n"
                out += "components watched (\(s.components.count)):\n"
                for c in s.components { out += "  \(c.label): \(c.status.rawValue)\n" }
                out += "incidents counted (\(s.incidents.count)):\n"
                for i in s.incidents {
                    out += "  \(i.id) \(i.impact.rawValue) \(i.status): \(i.name)"
                        + (i.components.isEmpty ? " (lists no component)" : " (lists \(i.components.joined(separator: ", ")))") + "\n"
                }
            }
        }
        out += "\nseries:\n" + series(e.snapshot)
        out += "\nconfig:\n" + config(e)
        return out
    }

    /// The provider's key and secret header values, as error texts are redacted.
    static func redaction(_ provider: ProviderConfig) -> Redaction {
        Redaction(provider.secrets)
    }

    /// Each exchange, redacted: request line and headers, response status and
    /// headers, and the start of the body.
    static func exchanges(_ hops: [HopTrace], redaction: Redaction) -> String {
        guard !hops.isEmpty else { return "\n(no request was sent)\n" }
        var out = ""
        for (i, raw) in hops.enumerated() {
            let (hop, body) = raw.redacted(by: redaction)
            out += "\nrequest \(i + 1): \(hop.method) \(hop.url)\n"
            for (name, value) in hop.requestHeaders { out += "  \(name): \(value)\n" }
            if hop.status == 0 {
                out += "no response: \(hop.error ?? "unknown")\n"
                continue
            }
            out += "response: HTTP \(hop.status)\n"
            for (name, value) in hop.responseHeaders { out += "  \(name): \(value)\n" }
            if let error = hop.error { out += "transfer: \(error)\n" }
            let shown = hop.bodyPrefix.count
            out += "body (\(hop.bodySize) bytes" + (hop.bodySize > shown ? ", first \(shown) shown" : "") + "):\n"
            out += body.isEmpty ? "  (empty)\n" : indent(body)
        }
        return out
    }

    /// The sample lines of the snapshot: this check's series and the provider's.
    static func series(_ snapshot: ProviderRecord) -> String {
        let text = String(decoding: Exposition(state: StateView([snapshot])).encode(.text), as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { "  " + $0 + "\n" }.joined()
    }

    static func config(_ e: ProbeJournal.Entry) -> String {
        if e.check == StatusPageConfig.checkName {
            return e.snapshot.config.statusPage.map { "  status_page: " + ConfigPrinter.statusPageYAML($0) + "\n" } ?? "  (removed)\n"
        }
        guard let check = e.snapshot.checks.first?.config else { return "  (removed)\n" }
        return ConfigPrinter.checkYAML(check, providerTLS: e.snapshot.config.tls)
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 + "\n" }.joined()
    }

    static func rounded(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
    static func seconds(_ v: Double) -> String { FloatFormat.format(rounded(v)) + " s" }
}
