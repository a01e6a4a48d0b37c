/// Writes the Prometheus text format 0.0.4 or OpenMetrics 1.0.0 into one
/// growing buffer, following prometheus/common expfmt: HELP and label values
/// escaped, floats as Go writes them (OpenMetrics adds `.0` to integral
/// values), histogram bucket and count values as integers. Every exposition
/// the exporter serves (`/metrics` in both formats, `/probe`, debug reports)
/// is written by it; the order of families and series is the caller's.
///
/// Label text arrives rendered (`name="value"` pieces, see `ExpositionLabels`);
/// the writer adds braces and commas. Nothing is allocated per sample.
public struct ExpositionWriter {
    public private(set) var bytes: [UInt8] = []
    public let format: ExpositionFormat

    /// Writes into `buffer`'s storage (taken, and emptied) when nothing else
    /// holds it: a 40 MB exposition written into fresh memory spent a third
    /// of its time in the kernel's page faults.
    public init(format: ExpositionFormat, reusing buffer: inout [UInt8], capacity: Int = 4096) {
        self.format = format
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(capacity)
    }

    /// With a gzip stream, each `chunk` bytes written go to it (after the
    /// sample that filled them) and the buffer is written over: the body is
    /// never held whole. `finish()` hands over the rest; `bytes` is then empty.
    private var gzip: Gzip.Stream?
    private var chunk = Int.max

    init(format: ExpositionFormat, gzip: Gzip.Stream, chunk: Int = 1 << 18) {
        self.format = format
        self.gzip = gzip
        self.chunk = chunk
        bytes.reserveCapacity(chunk + (1 << 14))
    }

    private mutating func drain() {
        bytes.withUnsafeBufferPointer { gzip?.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The HELP and TYPE lines of `family`. OpenMetrics names a counter family
    /// without its `_total` suffix and escapes quotes in HELP.
    public mutating func header(_ family: MetricFamily) {
        let metadataName = format == .openMetrics && family.type == .counter
            ? family.name.utf8.dropLast("_total".utf8.count) : family.name.utf8[...]
        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: metadataName)
        bytes.append(UInt8(ascii: " "))
        LabelText.appendEscaped(family.help, quotes: format == .openMetrics, to: &bytes)
        bytes.append(contentsOf: "\n# TYPE ".utf8)
        bytes.append(contentsOf: metadataName)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: family.type.rawValue.utf8)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Ends the exposition (OpenMetrics' `# EOF`).
    public mutating func finish() {
        if format == .openMetrics { bytes.append(contentsOf: "# EOF\n".utf8) }
        if gzip != nil { drain() }
    }

    // MARK: Samples: the name, up to three rendered label pieces, the value.

    public mutating func sample<N: Collection<UInt8>>(_ name: N, _ value: Double) {
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        self.value(value)
    }

    public mutating func sample<N: Collection<UInt8>, A: Collection<UInt8>, B: Collection<UInt8>>(
        _ name: N, _ a: A, _ b: B, _ value: Double
    ) {
        open(name, a)
        piece(b)
        close(value)
    }

    public mutating func sample<N: Collection<UInt8>, A: Collection<UInt8>, B: Collection<UInt8>, C: Collection<UInt8>>(
        _ name: N, _ a: A, _ b: B, _ c: C, _ value: Double
    ) {
        open(name, a)
        piece(b)
        piece(c)
        close(value)
    }

    /// The `_bucket`, `_sum` and `_count` lines of a histogram series whose
    /// labels are `labels`; `le` comes last. `names` must be rendered for the
    /// histogram's bounds.
    public mutating func histogram<A: Collection<UInt8>>(_ names: HistogramNames, _ labels: A, _ h: HistogramValue) {
        names.text.withUnsafeBufferPointer { text in
            for i in 0 ..< names.bucketCount {
                openBucket(names.bucket(text), labels, names.le(text, i))
                bytes.append(contentsOf: "} ".utf8)
                FloatFormat.appendInteger(i < h.cumulativeCounts.count ? h.cumulativeCounts[i] : h.count, to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
            sample(names.sum(text), labels, h.sum)
            openOrBare(names.count(text), labels)
        }
        FloatFormat.appendInteger(h.count, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A sample whose labels may be empty (no braces then).
    public mutating func sample<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ labels: A, _ value: Double) {
        openOrBare(name, labels)
        self.value(value)
    }

    mutating func openOrBare<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ labels: A) {
        bytes.append(contentsOf: name)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
    }

    mutating func openBucket<N: Collection<UInt8>, A: Collection<UInt8>, L: Collection<UInt8>>(_ name: N, _ labels: A, _ le: L) {
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: "{"))
        if !labels.isEmpty {
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(contentsOf: le)
    }

    @inline(__always)
    mutating func open<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ first: A) {
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: "{"))
        bytes.append(contentsOf: first)
    }

    @inline(__always)
    mutating func piece<A: Collection<UInt8>>(_ next: A) {
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: next)
    }

    @inline(__always)
    mutating func close(_ value: Double) {
        bytes.append(contentsOf: "} ".utf8)
        self.value(value)
    }

    /// The value and the line's end.
    mutating func value(_ v: Double) {
        if v == 0 || v == 1, v.sign == .plus {
            bytes.append(v == 0 ? UInt8(ascii: "0") : UInt8(ascii: "1"))
            if format == .openMetrics { bytes.append(contentsOf: ".0".utf8) }
        } else {
            Self.appendValue(v, format: format, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count >= chunk { drain() }
    }

    /// Go's shortest form; OpenMetrics adds `.0` to integral finite values, as
    /// expfmt's OpenMetrics writer does.
    static func appendValue(_ v: Double, format: ExpositionFormat, to out: inout [UInt8]) {
        let start = out.count
        FloatFormat.append(v, to: &out)
        guard format == .openMetrics, v.isFinite else { return }
        for i in start ..< out.count where out[i] == UInt8(ascii: ".") || out[i] == UInt8(ascii: "e") { return }
        out.append(contentsOf: ".0".utf8)
    }
}

/// A histogram family's sample names and its `le="..."` pieces (the finite
/// bounds, then `+Inf`), rendered once per family per exposition into one
/// buffer.
public struct HistogramNames {
    let family: MetricFamily
    let format: ExpositionFormat
    private(set) var bounds: [Double]? = nil
    /// `NAME_bucket`, `NAME_sum`, `NAME_count`, then the `le` pieces.
    private(set) var text: [UInt8] = []
    /// Where each part of `text` ends.
    private var ends: [Int] = []

    public init(_ family: MetricFamily, format: ExpositionFormat) {
        self.family = family
        self.format = format
    }

    var bucketCount: Int { ends.count - 3 }

    func part(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> UnsafeBufferPointer<UInt8> {
        .init(rebasing: text[(i == 0 ? 0 : ends[i - 1]) ..< ends[i]])
    }
    func bucket(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> { part(text, 0) }
    func sum(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> { part(text, 1) }
    func count(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> { part(text, 2) }
    func le(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> UnsafeBufferPointer<UInt8> { part(text, 3 + i) }

    /// Renders the names and `le` pieces when `bounds` differ from the last ones.
    public mutating func use(_ bounds: [Double]) {
        guard bounds != self.bounds else { return }
        self.bounds = bounds
        text = []
        ends = []
        for suffix in ["_bucket", "_sum", "_count"] {
            text.append(contentsOf: (family.name + suffix).utf8)
            ends.append(text.count)
        }
        for bound in bounds + [.infinity] {
            text.append(contentsOf: "le=\"".utf8)
            ExpositionWriter.appendValue(bound, format: format, to: &text)
            text.append(UInt8(ascii: "\""))
            ends.append(text.count)
        }
    }
}

/// Text that lives as long as the process (family names, enum label pieces),
/// written without reference counting. Only static tables make them.
public struct Piece: @unchecked Sendable {
    public let bytes: UnsafeBufferPointer<UInt8>

    init(_ text: [UInt8]) {
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
        _ = storage.initialize(from: text)
        bytes = UnsafeBufferPointer(storage)
    }
}
