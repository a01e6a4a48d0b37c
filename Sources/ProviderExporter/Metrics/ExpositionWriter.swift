/// Writes the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, a block at
/// a time, into the body or a gzip stream, following prometheus/common expfmt: HELP and label values
/// escaped, floats as Go writes them (OpenMetrics adds `.0` to integral
/// values), histogram bucket and count values as integers. Every exposition
/// the exporter serves (`/metrics` in both formats, `/probe`, debug reports)
/// is written by it; the order of families and series is the caller's.
///
/// Label text arrives rendered (`name="value"` pieces, see `ExpositionLabels`);
/// the writer adds braces and commas. Nothing is allocated per sample.
public struct ExpositionWriter: ByteSink {
    /// The body, once `finish()` has run (empty when gzipped as written).
    public private(set) var bytes: [UInt8] = []
    public let format: ExpositionFormat

    /// Pieces are copied into a block of the writer's own and the block goes
    /// to `bytes` (or to zlib) when full: one append of a block instead of
    /// an array append per piece of a few bytes (a sixth of a render).
    private var block: UnsafeMutablePointer<UInt8>
    private var used = 0
    private let size: Int
    private let owner: Block

    /// Frees the block when the last copy of the writer is gone.
    final class Block {
        let pointer: UnsafeMutablePointer<UInt8>
        init(_ size: Int) { pointer = .allocate(capacity: size) }
        deinit { pointer.deallocate() }
    }

    /// With a gzip stream, each full block is compressed at once, while still
    /// in the CPU's cache, and written over: the body is never held whole.
    private var gzip: Gzip.Stream?

    /// Writes into `buffer`'s storage (taken, and emptied) when nothing else
    /// holds it: a 40 MB exposition written into fresh memory spent a third
    /// of its time in the kernel's page faults.
    public init(format: ExpositionFormat, reusing buffer: inout [UInt8], capacity: Int = 4096) {
        self.format = format
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(capacity)
        size = min(1 << 16, max(capacity, 256))
        owner = Block(size)
        block = owner.pointer
    }

    /// Gzipped as written, in blocks of `chunk` bytes.
    init(format: ExpositionFormat, gzip: Gzip.Stream, chunk: Int = 1 << 18) {
        self.format = format
        self.gzip = gzip
        size = max(1, chunk)
        owner = Block(size)
        block = owner.pointer
    }

    private mutating func flush() {
        let full = UnsafeBufferPointer(start: block, count: used)
        if let gzip { gzip.write(full) } else { bytes.append(contentsOf: full) }
        used = 0
    }

    @inline(__always)
    public mutating func put(_ byte: UInt8) {
        if used == size { flush() }
        block[used] = byte
        used += 1
    }

    @inline(__always)
    public mutating func put(_ piece: UnsafeBufferPointer<UInt8>) {
        let n = piece.count
        guard n > 0, let base = piece.baseAddress else { return }
        if n > size - used {
            flush()
            if n > size {
                if let gzip { gzip.write(piece) } else { bytes.append(contentsOf: piece) }
                return
            }
        }
        (block + used).update(from: base, count: n)
        used += n
    }

    @inline(__always)
    mutating func put<C: Collection<UInt8>>(_ piece: C) {
        if piece.withContiguousStorageIfAvailable({ put($0) }) == nil {
            for byte in piece { put(byte) }
        }
    }

    /// The HELP and TYPE lines of `family`. OpenMetrics names a counter family
    /// without its `_total` suffix and escapes quotes in HELP.
    public mutating func header(_ family: MetricFamily) {
        let metadataName = format == .openMetrics && family.type == .counter
            ? family.name.utf8.dropLast("_total".utf8.count) : family.name.utf8[...]
        put("# HELP ")
        put(metadataName)
        put(UInt8(ascii: " "))
        LabelText.appendEscaped(family.help, quotes: format == .openMetrics, to: &self)
        put("\n# TYPE ")
        put(metadataName)
        put(UInt8(ascii: " "))
        put(family.type.rawValue.utf8)
        put(UInt8(ascii: "\n"))
    }

    /// Ends the exposition (OpenMetrics' `# EOF`).
    public mutating func finish() {
        if format == .openMetrics { put("# EOF\n") }
        flush()
    }

    // MARK: Samples: the name, up to three rendered label pieces, the value.

    public mutating func sample<N: Collection<UInt8>>(_ name: N, _ value: Double) {
        put(name)
        put(UInt8(ascii: " "))
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
                put("} ")
                FloatFormat.appendInteger(i < h.cumulativeCounts.count ? h.cumulativeCounts[i] : h.count, to: &self)
                put(UInt8(ascii: "\n"))
            }
            sample(names.sum(text), labels, h.sum)
            openOrBare(names.count(text), labels)
        }
        FloatFormat.appendInteger(h.count, to: &self)
        put(UInt8(ascii: "\n"))
    }

    /// A sample whose labels may be empty (no braces then).
    public mutating func sample<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ labels: A, _ value: Double) {
        openOrBare(name, labels)
        self.value(value)
    }

    mutating func openOrBare<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ labels: A) {
        put(name)
        if !labels.isEmpty {
            put(UInt8(ascii: "{"))
            put(labels)
            put(UInt8(ascii: "}"))
        }
        put(UInt8(ascii: " "))
    }

    mutating func openBucket<N: Collection<UInt8>, A: Collection<UInt8>, L: Collection<UInt8>>(_ name: N, _ labels: A, _ le: L) {
        put(name)
        put(UInt8(ascii: "{"))
        if !labels.isEmpty {
            put(labels)
            put(UInt8(ascii: ","))
        }
        put(le)
    }

    @inline(__always)
    mutating func open<N: Collection<UInt8>, A: Collection<UInt8>>(_ name: N, _ first: A) {
        put(name)
        put(UInt8(ascii: "{"))
        put(first)
    }

    @inline(__always)
    mutating func piece<A: Collection<UInt8>>(_ next: A) {
        put(UInt8(ascii: ","))
        put(next)
    }

    @inline(__always)
    mutating func close(_ value: Double) {
        put("} ")
        self.value(value)
    }

    /// The value and the line's end.
    mutating func value(_ v: Double) {
        if v == 0 || v == 1, v.sign == .plus {
            put(v == 0 ? UInt8(ascii: "0") : UInt8(ascii: "1"))
            if format == .openMetrics { put(".0") }
        } else {
            Self.appendValue(v, format: format, to: &self)
        }
        put(UInt8(ascii: "\n"))
    }

    /// Go's shortest form; OpenMetrics adds `.0` to integral finite values, as
    /// expfmt's OpenMetrics writer does.
    static func appendValue<Out: ByteSink>(_ v: Double, format: ExpositionFormat, to out: inout Out) {
        guard format == .openMetrics, v.isFinite else { return FloatFormat.append(v, to: &out) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var text = FixedSink(buffer)
            FloatFormat.append(v, to: &text)
            let written = text.written
            out.put(written)
            if !written.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) { out.put(".0") }
        }
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
