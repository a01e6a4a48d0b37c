/// The per-provider and status-page families of README, "Metrics", and the
/// list of every family written from the state store (the per-check ones are
/// `CheckFamilies`, written by `CheckExposition`): the only place those
/// samples are produced.
///
/// A scrape copies the checks' values into a `CheckTable`, then each family
/// walks the layout's order (`ExpositionLayout`, worked out when the config
/// loaded) writing label text rendered once per layout (`ExpositionLabels`)
/// and enum label pieces rendered once per process: no sorting, no escaping,
/// nothing allocated per sample.
enum ProviderExposition {
    /// What the families read during one encoding.
    struct Input {
        let view: StateView
        let table: CheckTable
        let labels: ExpositionLabels.Buffers
    }

    /// Calls `body` with the input of one encoding of `view`.
    static func withInput<R>(_ view: StateView, _ body: (Input) -> R) -> R {
        let table = CheckTable(view)
        return ExpositionLabels.of(view).withBuffers { labels in body(Input(view: view, table: table, labels: labels)) }
    }

    struct Family: Sendable {
        let family: MetricFamily
        let exporterWide: Bool
        let write: @Sendable (inout ExpositionWriter, Input) -> Void
    }

    /// The families in name order; `exporterWide` adds those of the whole
    /// exporter (probes in flight and skipped), which `/probe` leaves out.
    static func families(exporterWide: Bool) -> [Family] { exporterWide ? all : perProvider }

    static let all: [Family] = (CheckFamilies.all.enumerated().map { index, f in
        Family(family: f.family, exporterWide: f.exporterWide) { w, x in CheckExposition.write(index, &w, x) }
    } + [
        Family(family: Families.state, exporterWide: false, write: state),
        Family(family: Families.healthScore, exporterWide: false, write: healthScore),
        Family(family: Families.info, exporterWide: false, write: info),
        Family(family: Families.statusPageUp, exporterWide: false, write: statusPageUp),
        Family(family: Families.statusIndicator, exporterWide: false, write: statusIndicator),
        Family(family: Families.componentStatus, exporterWide: false, write: componentStatus),
        Family(family: Families.incidents, exporterWide: false, write: incidents),
        Family(family: Families.incidentStarted, exporterWide: false, write: incidentStarted),
        Family(family: Families.maintenancesActive, exporterWide: false, write: maintenancesActive),
        Family(family: Families.statusPageFetches, exporterWide: false, write: statusPageFetches),
        Family(family: Families.probesInFlight, exporterWide: true) { w, x in
            w.header(Families.probesInFlight)
            w.sample(name(Families.probesInFlight), Double(x.view.inFlight ?? 0))
        },
    ]).sorted { LabelText.precedes($0.family.name, $1.family.name) }

    static let perProvider = all.filter { !$0.exporterWide }

    // MARK: Enum label pieces, in value order.

    static func pieces<E: RawRepresentable<String> & CaseIterable>(_ label: String, _ type: E.Type) -> [(value: E, text: Piece)] {
        E.allCases.sorted { LabelText.precedes($0.rawValue, $1.rawValue) }.map { ($0, Piece(LabelText.pair(label, $0.rawValue))) }
    }

    static let statePieces = pieces("state", ProviderHealth.self)
    static let indicatorPieces = pieces("indicator", StatusIndicator.self)
    static let componentStatusPieces = pieces("status", ComponentStatus.self)
    static let impactPieces = pieces("impact", IncidentImpact.self)
    static let fetchPieces = pieces("result", FetchResult.self)

    /// Every family's name, as a piece.
    static let names: [String: Piece] = Dictionary(uniqueKeysWithValues: all.map { ($0.family.name, Piece(Array($0.family.name.utf8))) })

    static func name(_ family: MetricFamily) -> UnsafeBufferPointer<UInt8> { names[family.name]!.bytes }

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
