/// One scrape's values of the tabled per-check families (`single` and
/// `labelled`), read out of the records in one pass in the layout's order.
/// Each family then walks its own flat column instead of the records: 30
/// families visiting 10,000 records each spent most of a render on cache
/// misses and reference counts. Histograms and keyed values are read from the
/// records when written.
struct CheckTable {
    /// Rows: `layout.checks`, status pages included.
    let rows: Int
    /// Per family of `CheckFamilies.all`: values per row (0: not tabled) and
    /// where its column starts; value k of row i is at `start + i * width + k`.
    let widths: [Int]
    let starts: [Int]
    private(set) var values: [Double?]

    init(_ view: StateView) {
        let families = CheckFamilies.all
        let refs = view.layout.checks
        rows = refs.count
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
        let (rows, widths) = (rows, widths)
        values = [Double?](unsafeUninitializedCapacity: total) { out, count in
            out.initialize(repeating: nil)
            view.providers.withUnsafeBufferPointer { providers in
                for i in 0 ..< rows {
                    let ref = refs[i], provider = providers.baseAddress! + Int(ref.provider)
                    if ref.isPage {
                        guard let page = provider.pointee.statusPage else { continue }
                        for (f, family) in families.enumerated() {
                            if let value = family.page { out[starts[f] + i] = value(page) }
                        }
                        continue
                    }
                    provider.pointee.checks.withUnsafeBufferPointer { checks in
                        let record = checks.baseAddress! + Int(ref.check)
                        for (f, family) in families.enumerated() {
                            switch family.value {
                            case .single(let value):
                                out[starts[f] + i] = value(record.pointee)
                            case .labelled(_, let value):
                                let base = starts[f] + i * widths[f]
                                for k in 0 ..< widths[f] { out[base + k] = value(record.pointee, k) }
                            case .keyed, .histogram:
                                break
                            }
                        }
                    }
                }
            }
            count = total
        }
    }

    /// Value `k` (0 for a single value) of family `f` for row `i`.
    @inline(__always)
    func value(_ f: Int, _ i: Int, _ k: Int = 0) -> Double? { values[starts[f] + i * widths[f] + k] }
}
