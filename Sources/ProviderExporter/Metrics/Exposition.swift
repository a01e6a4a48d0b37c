import Glibc

/// What one scrape shows: the providers' families, written straight from a
/// view of the state store, and the few families of the small collectors
/// (build info, process, config; the scrape benchmark's synthetic series).
/// Families are written in name order, as expfmt does.
public struct Exposition: Sendable {
    public var families: [FamilySnapshot]
    public var state: StateView?

    public init(_ families: [FamilySnapshot] = [], state: StateView? = nil) {
        self.families = families
        self.state = state
    }

    /// More than the body will take: 8 KiB per check (a check's series take
    /// about 4 KiB), 64 KiB besides.
    var sizeGuess: Int { 65_536 + (state?.layout.checks.count ?? 0) * 8192 }

    /// The whole body. `capacity` sizes the buffer (the last body's size, so
    /// that a 40 MB exposition is not built by doubling); `buffer`'s storage
    /// is written over if nothing else holds it.
    public func encode(_ format: ExpositionFormat) -> [UInt8] {
        var none: [UInt8] = []
        return encode(format, capacity: 4096, reusing: &none)
    }

    public func encode(_ format: ExpositionFormat, capacity: Int, reusing buffer: inout [UInt8]) -> [UInt8] {
        var w = ExpositionWriter(format: format, reusing: &buffer, capacity: capacity)
        write(to: &w)
        return w.bytes
    }

    /// The body gzipped as it is written (nil if zlib failed) and the plain
    /// size: the plain body is never held whole, and each piece is compressed
    /// while it is still in the CPU's cache. `expected` (the last plain size)
    /// picks the level as `Gzip.compress` does.
    public func encodeGzipped(_ format: ExpositionFormat, expected: Int? = nil, chunk: Int = 1 << 18) -> (bytes: [UInt8]?, plainSize: Int) {
        let stream = Gzip.Stream(expected: expected ?? sizeGuess, capacity: (expected ?? sizeGuess) / 16)
        var w = ExpositionWriter(format: format, gzip: stream, chunk: chunk)
        write(to: &w)
        return (stream.finish(), stream.taken)
    }

    func write(to w: inout ExpositionWriter) {
        let snapshots = families.sorted { LabelText.precedes($0.family.name, $1.family.name) }
        guard let state else {
            for snapshot in snapshots { Exposition.write(snapshot, to: &w) }
            return w.finish()
        }
        let providerFamilies = ProviderExposition.families(exporterWide: state.inFlight != nil)
        ProviderExposition.withInput(state) { input in
            var i = 0
            for snapshot in snapshots {
                while i < providerFamilies.count, LabelText.precedes(providerFamilies[i].family.name, snapshot.family.name) {
                    providerFamilies[i].write(&w, input)
                    i += 1
                }
                Self.write(snapshot, to: &w)
            }
            for family in providerFamilies[i...] { family.write(&w, input) }
        }
        w.finish()
    }

    /// A collector's family: its series sorted here, by label values with the
    /// labels in name order (collectors hand over a few series, in any order).
    static func write(_ snapshot: FamilySnapshot, to w: inout ExpositionWriter) {
        let family = snapshot.family
        w.header(family)
        let order = family.labelNames.indices.sorted { LabelText.precedes(family.labelNames[$0], family.labelNames[$1]) }
        let name = Array(family.name.utf8)
        var histogram = HistogramNames(family, format: w.format)
        var labels: [UInt8] = []
        for s in sortedSeries(snapshot.series, order: order) {
            labels.removeAll(keepingCapacity: true)
            for i in order {
                if !labels.isEmpty { labels.append(UInt8(ascii: ",")) }
                labels.append(contentsOf: LabelText.pair(family.labelNames[i], s.labelValues[i]))
            }
            switch s.value {
            case .number(let v): w.sample(name, labels, v)
            case .histogram(let h):
                histogram.use(h.upperBounds)
                w.histogram(histogram, labels, h)
            }
        }
    }

    /// Series in label-value order (labels taken in `order`). Each series gets
    /// a byte key, its values each followed by a 0 byte, so that one memcmp
    /// decides. A value holding a 0 byte would make the key ambiguous: then
    /// the values are compared as strings.
    static func sortedSeries(_ series: [Series], order: [Int]) -> [Series] {
        var keys: [[UInt8]] = []
        keys.reserveCapacity(series.count)
        var exact = true
        for s in series {
            var key: [UInt8] = []
            for i in order {
                for byte in s.labelValues[i].utf8 {
                    if byte == 0 { exact = false }
                    key.append(byte)
                }
                key.append(0)
            }
            keys.append(key)
        }
        guard exact else {
            return series.sorted { a, b in
                for i in order where a.labelValues[i] != b.labelValues[i] {
                    return LabelText.precedes(a.labelValues[i], b.labelValues[i])
                }
                return false
            }
        }
        let sorted = series.indices.sorted { a, b in
            keys[a].withUnsafeBufferPointer { x in
                keys[b].withUnsafeBufferPointer { y in
                    let c = memcmp(x.baseAddress!, y.baseAddress!, min(x.count, y.count))
                    return c != 0 ? c < 0 : x.count < y.count
                }
            }
        }
        return sorted.map { series[$0] }
    }
}
