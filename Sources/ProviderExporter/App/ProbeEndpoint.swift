extension Exporter {
    /// `GET /probe?provider=NAME[&check=NAME]` (also `target=` and `module=`, as
    /// blackbox-style relabelling and prometheus-operator's `Probe` send them):
    /// the provider's checks (or the one named; `status_page` is its page)
    /// through the scheduler's probe path. A check runs only when it is due
    /// (`--probe.min-interval`, retry-hint and backoff holds); otherwise the
    /// answer is its last result, or the probe in flight. Waits at most
    /// Prometheus' scrape timeout less 0.5 s, then answers that provider's series.
    static func probe(_ request: HTTPRequest, config: ConfigStore, store: StateStore, runner: ProbeRunner,
                      minInterval: Double) -> RouteReply {
        let debug = request.queryValue("debug") == "true"
        // A kept report, by the id the landing page links to.
        if debug, let idText = request.queryValue("id") {
            guard let id = UInt64(idText), let entry = runner.journal.entry(id: id) else {
                return .now(.text(404, "no probe #\(idText) is kept (the last \(ProbeJournal.capacity) are)"))
            }
            return .now(.text(200, ProbeReport.render(entry)))
        }
        guard let name = request.queryValue("provider") ?? request.queryValue("target") else {
            return .now(.text(400, "missing ?provider=NAME (or ?target=NAME)"))
        }
        guard let provider = config.current.providers.first(where: { $0.name == name }) else {
            return .now(.text(404, "unknown provider '\(name)'"))
        }
        var jobs = provider.checks.map { ProbeRunner.Job.check(provider, $0) }
        if let page = provider.statusPage { jobs.append(.page(provider, page)) }
        if let checkName = request.queryValue("check") ?? request.queryValue("module") {
            jobs = jobs.filter { $0.check == checkName }
            if jobs.isEmpty { return .now(.text(404, "provider '\(name)' has no check '\(checkName)'")) }
        }
        let selected = jobs
        let scrapeTimeout = request.header("x-prometheus-scrape-timeout-seconds").flatMap(Double.init).map { $0 - 0.5 }
        let variant = ScrapeCache.Variant(format: .negotiate(accept: request.header("accept")),
                                          gzip: acceptsGzip(request.header("accept-encoding")))
        return .later {
            await withTaskGroup(of: Void.self) { group in
                for job in selected {
                    let timeout = max(0.05, min(job.timeout, scrapeTimeout ?? .infinity))
                    group.addTask {
                        _ = await runner.runIfDue(job, minInterval: minInterval, wait: timeout + 0.25, timeout: timeout)
                    }
                }
            }
            if debug {
                // The probe each check ran, or the last one it reuses.
                let reports = selected.map { job -> String in
                    if let entry = runner.journal.latest(provider: name, check: job.check) { return ProbeReport.render(entry) }
                    let last = store.provider(named: name)?.checks.first { $0.config.name == job.check }
                    let summary = last?.lastResult.map { "its last result is \($0.rawValue)" } ?? "it has not been probed yet"
                    return "\(name)/\(job.check): no report is kept for its last probe (\(summary)); "
                        + "the last \(ProbeJournal.capacity) probes are kept.\n"
                }
                return .text(200, reports.joined(separator: "\n" + String(repeating: "-", count: 72) + "\n\n"))
            }
            // With check=, only that check's per-check series (provider-level ones stay).
            let names = Set(selected.map(\.check))
            let records = store.provider(named: name).map { record -> [ProviderRecord] in
                var r = record
                r.checks = r.checks.filter { names.contains($0.config.name) }
                return [r]
            } ?? []
            let plain = Exposition(state: StateView(records)).encode(variant.format)
            let body = variant.gzip ? Gzip.compress(plain).map { ScrapeCache.Body(bytes: $0, gzipped: true) } : nil
            return metricsResponse(body ?? ScrapeCache.Body(bytes: plain, gzipped: false), variant)
        }
    }
}
