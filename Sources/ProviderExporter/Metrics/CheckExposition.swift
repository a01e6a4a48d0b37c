/// Writes every per-check family of `CheckFamilies` the same way: series in
/// label-value order with the labels in name order, so the layout's order
/// (check name, then provider name) and where the family's extra label falls
/// among `check` and `provider` decide the walk. Values come from the
/// `CheckTable`, histograms and keyed values from the records.
enum CheckExposition {
    typealias Input = ProviderExposition.Input

    /// Family `index` of `CheckFamilies.all` (of the families `x.table` was
    /// made from).
    static func write(_ index: Int, _ w: inout ExpositionWriter, _ x: Input, families: [CheckFamily] = CheckFamilies.all) {
        let f = families[index]
        w.header(f.family)
        // A test's own family has no piece of the process's: it gets one (kept, as pieces are).
        let name = (ProviderExposition.names[f.family.name] ?? Piece(Array(f.family.name.utf8))).bytes
        let refs = x.view.layout.checks
        let labels = x.labels
        let start = x.table.starts[index], width = x.table.widths[index]
        switch f.value {
        case .single:
            x.table.values.withUnsafeBufferPointer { values in
                for i in refs.indices where f.page != nil || !refs[i].isPage {
                    if let v = values[start + i] { w.sample(name, labels.check(i), v) }
                }
            }
        case .labelled:
            x.table.values.withUnsafeBufferPointer { values in
                f.pieces.withUnsafeBufferPointer { pieces in
                    switch f.placement {
                    case .afterProvider:
                        for i in refs.indices where !refs[i].isPage {
                            for k in pieces.indices {
                                if let v = values[start + i * width + k] { w.sample(name, labels.check(i), pieces[k].bytes, v) }
                            }
                        }
                    case .betweenCheckAndProvider:
                        forEachCheckGroup(x) { group in
                            for k in pieces.indices {
                                for i in group where !refs[i].isPage {
                                    if let v = values[start + i * width + k] {
                                        w.sample(name, labels.checkPart(i), pieces[k].bytes, labels.providerPart(i), v)
                                    }
                                }
                            }
                        }
                    case .beforeCheck, .none:
                        for k in pieces.indices {
                            for i in refs.indices where !refs[i].isPage {
                                if let v = values[start + i * width + k] { w.sample(name, pieces[k].bytes, labels.check(i), v) }
                            }
                        }
                    }
                }
            }
        case .keyed(let read):
            keyed(f, name, read, &w, x)
        case .histogram(let read):
            var names = HistogramNames(f.family, format: w.format)
            forEachRecord(x) { i, record in
                guard let h = read(record) else { return }
                names.use(h.pointee.upperBounds)
                w.histogram(names, labels.check(i), h.pointee)
            }
        }
    }

    /// Keyed values (label values from the records, escaped here): few
    /// families of few checks (balances), so each run of one check name
    /// gathers and sorts its keys.
    static func keyed(_ f: CheckFamily, _ name: UnsafeBufferPointer<UInt8>, _ read: (UnsafePointer<CheckRecord>) -> [String: Double],
                      _ w: inout ExpositionWriter, _ x: Input) {
        let label = f.extraLabel!
        var values: [Int: [String: Double]] = [:]
        forEachRecord(x) { i, record in
            let v = read(record)
            if !v.isEmpty { values[i] = v }
        }
        guard !values.isEmpty else { return }
        let labels = x.labels
        func sortedKeys(_ rows: some Sequence<Int>) -> [String] {
            Set(rows.flatMap { values[$0]?.keys.map { $0 } ?? [] }).sorted { LabelText.precedes($0, $1) }
        }
        switch f.placement {
        case .afterProvider:
            for i in values.keys.sorted() {
                for key in sortedKeys([i]) { w.sample(name, labels.check(i), LabelText.pair(label, key), values[i]![key]!) }
            }
        case .betweenCheckAndProvider:
            forEachCheckGroup(x) { group in
                for key in sortedKeys(group) {
                    let piece = LabelText.pair(label, key)
                    for i in group { if let v = values[i]?[key] { w.sample(name, labels.checkPart(i), piece, labels.providerPart(i), v) } }
                }
            }
        case .beforeCheck, .none:
            let rows = values.keys.sorted()
            for key in sortedKeys(rows) {
                let piece = LabelText.pair(label, key)
                for i in rows { if let v = values[i]?[key] { w.sample(name, piece, labels.check(i), v) } }
            }
        }
    }

    /// Every check (not status pages) in layout order, read in place.
    @inline(__always)
    static func forEachRecord(_ x: Input, _ body: (Int, UnsafePointer<CheckRecord>) -> Void) {
        x.view.providers.withUnsafeBufferPointer { providers in
            for (i, ref) in x.view.layout.checks.enumerated() where !ref.isPage {
                providers[Int(ref.provider)].checks.withUnsafeBufferPointer { checks in body(i, checks.baseAddress! + Int(ref.check)) }
            }
        }
    }

    /// Every run of one check name: families whose extra label sorts between
    /// `check` and `provider` go by (check, extra, provider).
    @inline(__always)
    static func forEachCheckGroup(_ x: Input, _ body: (Range<Int>) -> Void) {
        var start = 0
        for end in x.view.layout.checkGroupEnds {
            body(start ..< Int(end))
            start = Int(end)
        }
    }
}
