/// The per-check and per-provider families of README, "Metrics", written straight
/// from a view of the state store: the only place those samples are produced.
///
/// A scrape copies the checks' numbers into a `CheckTable`, then each family
/// walks it in the layout's order (`ExpositionLayout`, worked out when the
/// config loaded), writing label text rendered then and enum label pieces
/// rendered once per process: no sorting, no escaping, nothing allocated per
/// sample.
enum ProviderExposition {
    /// What the families read during one encoding.
    struct Input {
        let view: StateView
        let table: CheckTable
        let labels: Labels
    }

    /// The layout's label buffers, read in place while one exposition is written.
    struct Labels {
        let checks: UnsafeBufferPointer<UInt8>
        let providers: UnsafeBufferPointer<UInt8>
        let providerEnds: UnsafeBufferPointer<Int32>
        let info: UnsafeBufferPointer<UInt8>
        let infoEnds: UnsafeBufferPointer<Int32>

        /// `check="...",provider="..."`.
        func check(_ r: CheckRef) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(r.labels) ..< Int(r.end)]) }
        /// `check="..."`.
        func checkPart(_ r: CheckRef) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(r.labels) ..< Int(r.providerPart) - 1]) }
        /// `provider="..."`.
        func providerPart(_ r: CheckRef) -> UnsafeBufferPointer<UInt8> { .init(rebasing: checks[Int(r.providerPart) ..< Int(r.end)]) }
        /// `provider="..."` of the i-th provider by name.
        func provider(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            .init(rebasing: providers[(i == 0 ? 0 : Int(providerEnds[i - 1])) ..< Int(providerEnds[i])])
        }
        /// `provider_info`'s labels of the i-th provider in info order.
        func info(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            .init(rebasing: info[(i == 0 ? 0 : Int(infoEnds[i - 1])) ..< Int(infoEnds[i])])
        }
    }

    /// Calls `body` with the input of one encoding of `view`.
    static func withInput<R>(_ view: StateView, _ body: (Input) -> R) -> R {
        let table = CheckTable(view)
        let layout = view.layout
        return layout.checkLabels.withUnsafeBufferPointer { checks in
            layout.providerLabels.withUnsafeBufferPointer { providers in
                layout.providerLabelEnds.withUnsafeBufferPointer { providerEnds in
                    layout.infoLabels.withUnsafeBufferPointer { info in
                        layout.infoLabelEnds.withUnsafeBufferPointer { infoEnds in
                            body(Input(view: view, table: table, labels: Labels(
                                checks: checks, providers: providers, providerEnds: providerEnds, info: info, infoEnds: infoEnds)))
                        }
                    }
                }
            }
        }
    }

    struct Family: Sendable {
        let family: MetricFamily
        let write: @Sendable (inout ExpositionWriter, Input) -> Void
    }

    /// The families in name order; `exporterWide` adds those of the whole
    /// exporter (probes in flight and skipped), which `/probe` leaves out.
    static func families(exporterWide: Bool) -> [Family] { exporterWide ? all : perProvider }

    static let all: [Family] = [
        Family(family: Families.up) { w, x in perCheck(Families.up, &w, x) { $0.probed ? ($0.success ? 1 : 0) : nil } },
        Family(family: Families.consecutiveFailures) { w, x in
            perCheck(Families.consecutiveFailures, &w, x) { $0.probed ? $0.failures : nil }
        },
        Family(family: Families.failureThreshold) { w, x in perCheck(Families.failureThreshold, &w, x) { $0.threshold } },
        Family(family: Families.httpStatus) { w, x in perCheck(Families.httpStatus, &w, x) { $0.probed ? $0.status : nil } },
        Family(family: Families.lastSuccess) { w, x in perCheck(Families.lastSuccess, &w, x) { $0.probed ? $0.lastSuccess : nil } },
        Family(family: Families.retryAfter) { w, x in perCheck(Families.retryAfter, &w, x) { $0.probed ? $0.retryAfter : nil } },
        Family(family: Families.certificateExpiry) { w, x in
            perCheck(Families.certificateExpiry, &w, x) { $0.probed ? $0.certificateExpiry : nil }
        },
        // The timestamp families include status pages (`check="status_page"`).
        Family(family: Families.lastProbe) { w, x in
            perCheck(Families.lastProbe, &w, x, pages: true) { $0.isPage || $0.probed ? $0.lastProbe : nil }
        },
        Family(family: Families.nextProbe) { w, x in perCheck(Families.nextProbe, &w, x, pages: true) { $0.next } },
        Family(family: Families.probeDuration) { w, x in histogram(Families.probeDuration, &w, x) { $0.histogram } },
        Family(family: Families.timeToFirstToken) { w, x in
            guard x.table.anyChat else { return w.header(Families.timeToFirstToken) }
            histogram(Families.timeToFirstToken, &w, x) { $0.config.chat?.stream == true ? $0.timeToFirstToken : nil }
        },
        Family(family: Families.probes, write: probes),
        Family(family: Families.lastResult, write: lastResult),
        Family(family: Families.rateLimitLimit) { w, x in rateLimit(Families.rateLimitLimit, &w, x) { $0.limit } },
        Family(family: Families.rateLimitRemaining) { w, x in rateLimit(Families.rateLimitRemaining, &w, x) { $0.remaining } },
        Family(family: Families.rateLimitReset) { w, x in rateLimit(Families.rateLimitReset, &w, x) { $0.reset } },
        Family(family: Families.probePhase, write: probePhase),
        Family(family: Families.probeTokens, write: probeTokens),
        Family(family: Families.creditBalance, write: creditBalance),
        Family(family: Families.state, write: state),
        Family(family: Families.healthScore, write: healthScore),
        Family(family: Families.info, write: info),
        Family(family: Families.statusPageUp, write: statusPageUp),
        Family(family: Families.statusIndicator, write: statusIndicator),
        Family(family: Families.componentStatus, write: componentStatus),
        Family(family: Families.incidents, write: incidents),
        Family(family: Families.incidentStarted, write: incidentStarted),
        Family(family: Families.maintenancesActive, write: maintenancesActive),
        Family(family: Families.statusPageFetches, write: statusPageFetches),
        Family(family: Families.probesInFlight) { w, x in
            w.header(Families.probesInFlight)
            w.sample(name(Families.probesInFlight), Double(x.view.inFlight ?? 0))
        },
        Family(family: Families.probesSkipped, write: probesSkipped),
    ].sorted { LabelText.precedes($0.family.name, $1.family.name) }

    static let perProvider = all.filter { $0.family != Families.probesInFlight && $0.family != Families.probesSkipped }

    // MARK: Enum label pieces, in value order.

    static func pieces<E: RawRepresentable<String> & CaseIterable>(_ label: String, _ type: E.Type) -> [(value: E, text: Piece)] {
        E.allCases.sorted { LabelText.precedes($0.rawValue, $1.rawValue) }.map { ($0, Piece(LabelText.pair(label, $0.rawValue))) }
    }

    static let resultPieces = pieces("result", ProbeResult.self)
    static let reasonPieces = pieces("reason", SkipReason.self)
    static let resourcePieces = pieces("resource", RateLimitResource.self)
    static let statePieces = pieces("state", ProviderHealth.self)
    static let indicatorPieces = pieces("indicator", StatusIndicator.self)
    static let componentStatusPieces = pieces("status", ComponentStatus.self)
    static let impactPieces = pieces("impact", IncidentImpact.self)
    static let fetchPieces = pieces("result", FetchResult.self)
    static let phaseNames = ["resolve", "connect", "tls", "processing", "transfer"]
    /// (index in `phaseNames`, piece), in value order.
    static let phasePieces: [(index: Int, text: Piece)] = phaseNames.indices
        .sorted { LabelText.precedes(phaseNames[$0], phaseNames[$1]) }.map { ($0, Piece(LabelText.pair("phase", phaseNames[$0]))) }
    static let kindPieces: [(input: Bool, text: Piece)] = [(true, Piece(LabelText.pair("kind", "input"))),
                                                            (false, Piece(LabelText.pair("kind", "output")))]

    static func phase(_ index: Int, _ t: PhaseTimings) -> Double {
        switch index {
        case 0: t.resolve
        case 1: t.connect
        case 2: t.tls
        case 3: t.processing
        default: t.transfer
        }
    }

    /// Every family's name, as a piece.
    static let names: [String: Piece] = Dictionary(uniqueKeysWithValues: all.map { ($0.family.name, Piece(Array($0.family.name.utf8))) })

    static func name(_ family: MetricFamily) -> UnsafeBufferPointer<UInt8> { names[family.name]!.bytes }

    // MARK: Per check

    /// A gauge of at most one value per check (`pages`: and per status page).
    @inline(__always)
    static func perCheck(_ family: MetricFamily, _ w: inout ExpositionWriter, _ x: Input, pages: Bool = false,
                         _ value: (CheckTable.Row) -> Double?) {
        w.header(family)
        let name = name(family)
        let refs = x.view.layout.checks
        x.table.rows.withUnsafeBufferPointer { rows in
            for i in rows.indices where pages || !rows[i].isPage {
                if let v = value(rows[i]) { w.sample(name, x.labels.check(refs[i]), v) }
            }
        }
    }

    static func probes(_ w: inout ExpositionWriter, _ x: Input) {
        counts(Families.probes, resultPieces, offset: 0, &w, x)
    }

    static func probesSkipped(_ w: inout ExpositionWriter, _ x: Input) {
        counts(Families.probesSkipped, reasonPieces, offset: resultPieces.count, &w, x)
    }

    static func counts<E>(_ family: MetricFamily, _ pieces: [(value: E, text: Piece)], offset: Int,
                          _ w: inout ExpositionWriter, _ x: Input) {
        w.header(family)
        let name = name(family)
        let refs = x.view.layout.checks
        let stride = CheckTable.countStride
        x.table.counts.withUnsafeBufferPointer { counts in
            for (i, row) in x.table.rows.enumerated() where !row.isPage {
                let labels = x.labels.check(refs[i])
                for (k, piece) in pieces.enumerated() {
                    w.sample(name, labels, piece.text.bytes, Double(counts[i * stride + offset + k]))
                }
            }
        }
    }

    static func lastResult(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.lastResult)
        let name = name(Families.lastResult)
        let refs = x.view.layout.checks
        for (i, row) in x.table.rows.enumerated() where !row.isPage && row.probed {
            w.sample(name, x.labels.check(refs[i]), resultPieces[Int(row.result)].text.bytes, 1)
        }
    }

    static func rateLimit(_ family: MetricFamily, _ w: inout ExpositionWriter, _ x: Input,
                          _ field: (RateLimitWindow) -> Double?) {
        w.header(family)
        let name = name(family)
        let refs = x.view.layout.checks
        for (row, resource, window) in x.table.rateLimits {
            if let v = field(window) { w.sample(name, x.labels.check(refs[Int(row)]), resourcePieces[Int(resource)].text.bytes, v) }
        }
    }

    /// Histograms, read from the records (their counts are arrays).
    static func histogram(_ family: MetricFamily, _ w: inout ExpositionWriter, _ x: Input,
                          _ value: (CheckRecord) -> HistogramValue?) {
        w.header(family)
        var names = HistogramNames(family, format: w.format)
        x.view.providers.withUnsafeBufferPointer { providers in
            for ref in x.view.layout.checks where !ref.isPage {
                providers[Int(ref.provider)].checks.withUnsafeBufferPointer { checks in
                    guard let h = value(checks[Int(ref.check)]) else { return }
                    names.use(h.upperBounds)
                    w.histogram(names, x.labels.check(ref), h)
                }
            }
        }
    }

    /// Every run of one check name: the checks of a family whose extra label
    /// sorts between `check` and `provider` go by (check, extra, provider).
    @inline(__always)
    static func forEachCheckGroup(_ x: Input, _ body: (Range<Int>) -> Void) {
        var start = 0
        for end in x.view.layout.checkGroupEnds {
            body(start ..< Int(end))
            start = Int(end)
        }
    }

    static func probePhase(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.probePhase)
        let name = name(Families.probePhase)
        let refs = x.view.layout.checks
        x.table.rows.withUnsafeBufferPointer { rows in
            forEachCheckGroup(x) { group in
                for (index, text) in phasePieces {
                    for i in group where !rows[i].isPage && rows[i].probed {
                        guard let phases = rows[i].phases else { continue }
                        w.sample(name, x.labels.checkPart(refs[i]), text.bytes, x.labels.providerPart(refs[i]), phase(index, phases))
                    }
                }
            }
        }
    }

    static func probeTokens(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.probeTokens)
        guard x.table.anyChat else { return }
        let name = name(Families.probeTokens)
        let refs = x.view.layout.checks
        x.table.rows.withUnsafeBufferPointer { rows in
            forEachCheckGroup(x) { group in
                for (input, text) in kindPieces {
                    for i in group where rows[i].chat {
                        let tokens = input ? rows[i].inputTokens : rows[i].outputTokens
                        w.sample(name, x.labels.checkPart(refs[i]), text.bytes, x.labels.providerPart(refs[i]), Double(tokens))
                    }
                }
            }
        }
    }

    /// `(check, currency, provider)`: currencies come from responses, so within
    /// a run of one check name each is found by a scan for the next smallest
    /// (balance checks are few and hold one or two currencies).
    static func creditBalance(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.creditBalance)
        guard x.table.anyBalance else { return }
        let name = name(Families.creditBalance)
        let refs = x.view.layout.checks
        func balances(_ i: Int) -> [String: Double] {
            let ref = refs[i]
            guard !ref.isPage, x.table.rows[i].probed else { return [:] }
            return x.view.providers[Int(ref.provider)].checks[Int(ref.check)].balances
        }
        forEachCheckGroup(x) { group in
            var last: String? = nil
            while true {
                var next: String? = nil
                for i in group {
                    for currency in balances(i).keys
                    where last.map({ LabelText.precedes($0, currency) }) ?? true && next.map({ LabelText.precedes(currency, $0) }) ?? true {
                        next = currency
                    }
                }
                guard let currency = next else { return }
                let piece = LabelText.pair("currency", currency)
                for i in group {
                    if let amount = balances(i)[currency] {
                        w.sample(name, x.labels.checkPart(refs[i]), piece, x.labels.providerPart(refs[i]), amount)
                    }
                }
                last = currency
            }
        }
    }

    // MARK: Per provider

    /// Every provider by name, read in place, with its index in that order.
    @inline(__always)
    static func forEachProvider(_ x: Input, _ body: (Int, UnsafePointer<ProviderRecord>) -> Void) {
        x.view.providers.withUnsafeBufferPointer { providers in
            for (i, p) in x.view.layout.providers.enumerated() { body(i, providers.baseAddress! + Int(p)) }
        }
    }

    static func state(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.state)
        let name = name(Families.state)
        forEachProvider(x) { i, record in
            for (health, text) in statePieces { w.sample(name, x.labels.provider(i), text.bytes, record.pointee.health == health ? 1 : 0) }
        }
    }

    static func healthScore(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.healthScore)
        let name = name(Families.healthScore)
        forEachProvider(x) { i, record in
            if let score = record.pointee.healthScore { w.sample(name, x.labels.provider(i), score) }
        }
    }

    static func info(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.info)
        let name = name(Families.info)
        for i in x.view.layout.info.indices { w.sample(name, x.labels.info(i), 1) }
    }

    /// Providers with a status page, by name.
    @inline(__always)
    static func forEachPage(_ x: Input, _ body: (Int, StatusPageRecord) -> Void) {
        forEachProvider(x) { i, record in
            if let page = record.pointee.statusPage { body(i, page) }
        }
    }

    static func statusPageUp(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.statusPageUp)
        let name = name(Families.statusPageUp)
        forEachPage(x) { i, page in
            if let up = page.up { w.sample(name, x.labels.provider(i), up ? 1 : 0) }
        }
    }

    static func maintenancesActive(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.maintenancesActive)
        let name = name(Families.maintenancesActive)
        forEachPage(x) { i, page in
            if let s = page.state { w.sample(name, x.labels.provider(i), Double(s.maintenancesActive)) }
        }
    }

    static func statusPageFetches(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.statusPageFetches)
        let name = name(Families.statusPageFetches)
        forEachPage(x) { i, page in
            for (result, text) in fetchPieces { w.sample(name, x.labels.provider(i), text.bytes, Double(page.fetches[result] ?? 0)) }
        }
    }

    static func statusIndicator(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.statusIndicator)
        let name = name(Families.statusIndicator)
        for (indicator, text) in indicatorPieces {
            forEachPage(x) { i, page in
                if let s = page.state { w.sample(name, text.bytes, x.labels.provider(i), s.indicator == indicator ? 1 : 0) }
            }
        }
    }

    /// All four impacts of every page, 0 before its first good fetch.
    static func incidents(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.incidents)
        let name = name(Families.incidents)
        for (impact, text) in impactPieces {
            forEachPage(x) { i, page in
                let count = page.state?.incidents.reduce(0) { $0 + ($1.impact == impact ? 1 : 0) } ?? 0
                w.sample(name, text.bytes, x.labels.provider(i), Double(count))
            }
        }
    }

    /// Components and incidents carry labels from the page: their order is
    /// worked out when a fetch changes them, their text escaped here (a few
    /// hundred series at most).
    static func componentStatus(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.componentStatus)
        let name = name(Families.componentStatus)
        for (p, i) in x.view.layout.components {
            let record = x.view.providers[Int(p)]
            guard let component = record.statusPage?.state?.components[Int(i)] else { continue }
            let label = LabelText.pair("component", component.label), provider = LabelText.pair("provider", record.config.name)
            for (status, text) in componentStatusPieces {
                w.sample(name, label, provider, text.bytes, component.status == status ? 1 : 0)
            }
        }
    }

    static func incidentStarted(_ w: inout ExpositionWriter, _ x: Input) {
        w.header(Families.incidentStarted)
        let name = name(Families.incidentStarted)
        for (p, i) in x.view.layout.incidents {
            let record = x.view.providers[Int(p)]
            guard let incident = record.statusPage?.state?.incidents[Int(i)], let started = incident.started else { continue }
            var labels = LabelText.pair("impact", incident.impact.rawValue)
            for (label, value) in [("incident_id", incident.id), ("name", incident.name)] {
                labels.append(UInt8(ascii: ","))
                labels.append(contentsOf: LabelText.pair(label, value))
            }
            w.sample(name, labels, LabelText.pair("provider", record.config.name), LabelText.pair("status", incident.status), started)
        }
    }
}
