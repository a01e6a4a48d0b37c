/// One scrape's values of the tabled per-check families (`single` and
/// `labelled`), read out of the records in one pass in the layout's order.
/// Each family then walks its own flat column instead of the records: 30
/// families visiting 10,000 records each spent most of a render on cache
/// misses and reference counts. Histograms and keyed values are read from the
/// records when written.
struct CheckTable {
    /// Per family of `families`: values per row (0: not tabled) and
    /// where its column starts; value k of row i is at `start + i * width + k`.
    let widths: [Int]
    let starts: [Int]
    private(set) var values: [Double?]

    /// - Parameter families: `CheckFamilies.all`; tests pass families of their own.
    init(_ view: StateView, families: [CheckFamily] = CheckFamilies.all) {
        let refs = view.layout.checks
        widths = families.map { f in
            switch f.value {
            case .single: 1
            case .labelled(let values, _): values.count
            case .keyed, .histogram: 0
            }
        }
        var starts: [Int] = [], total = 0
        for width in widths {
            starts.append(total)
            total += width * refs.count
        }
        self.starts = starts
        // The closures, taken out of the declarations once, not per check.
        var singles: [(start: Int, value: @Sendable (UnsafePointer<CheckRecord>) -> Double?)] = []
        var labelled: [(start: Int, width: Int, value: @Sendable (UnsafePointer<CheckRecord>, Int) -> Double?)] = []
        var pages: [(start: Int, value: @Sendable (StatusPageRecord) -> Double?)] = []
        for (f, family) in families.enumerated() {
            switch family.value {
            case .single(let value): singles.append((starts[f], value))
            case .labelled(let values, let value): labelled.append((starts[f], values.count, value))
            case .keyed, .histogram: break
            }
            if let page = family.page { pages.append((starts[f], page)) }
        }
        let rows = refs.count
        values = [Double?](unsafeUninitializedCapacity: total) { out, count in
            out.initialize(repeating: nil)
            view.providers.withUnsafeBufferPointer { providers in
                for i in 0 ..< rows {
                    let ref = refs[i], provider = providers.baseAddress! + Int(ref.provider)
                    if ref.isPage {
                        guard let page = provider.pointee.statusPage else { continue }
                        for (start, value) in pages { out[start + i] = value(page) }
                        continue
                    }
                    provider.pointee.checks.withUnsafeBufferPointer { checks in
                        let record = checks.baseAddress! + Int(ref.check)
                        for (start, value) in singles { out[start + i] = value(record) }
                        for (start, width, value) in labelled {
                            let base = start + i * width
                            for k in 0 ..< width { out[base + k] = value(record, k) }
                        }
                    }
                }
            }
            count = total
        }
    }
}
