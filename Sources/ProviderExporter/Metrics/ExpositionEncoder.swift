import Glibc

/// Encodes families in the Prometheus text format 0.0.4 or OpenMetrics 1.0.0,
/// following prometheus/common expfmt: families sorted by name, series sorted by
/// their label values (labels in name order), HELP and label values escaped,
/// floats as Go writes them.
public enum ExpositionEncoder {
    public static func encode(_ families: [FamilySnapshot], format: ExpositionFormat) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.reduce(256) { $0 + 96 + $1.series.count * 96 })
        for snapshot in families.sorted(by: { $0.family.name.utf8.lexicographicallyPrecedes($1.family.name.utf8) }) {
            encode(snapshot, format: format, into: &out)
        }
        if format == .openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
        return out
    }

    static func encode(_ snapshot: FamilySnapshot, format: ExpositionFormat, into out: inout [UInt8]) {
        let family = snapshot.family
        // OpenMetrics names a counter family without its `_total` suffix.
        let metadataName = format == .openMetrics && family.type == .counter
            ? String(family.name.dropLast("_total".count)) : family.name
        out.append(contentsOf: "# HELP ".utf8)
        out.append(contentsOf: metadataName.utf8)
        out.append(UInt8(ascii: " "))
        appendEscaped(family.help, quotes: format == .openMetrics, to: &out)
        out.append(contentsOf: "\n# TYPE ".utf8)
        out.append(contentsOf: metadataName.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: family.type.rawValue.utf8)
        out.append(UInt8(ascii: "\n"))

        // Labels are written in name order and series compared in that order.
        let order = family.labelNames.indices.sorted {
            family.labelNames[$0].utf8.lexicographicallyPrecedes(family.labelNames[$1].utf8)
        }
        let series = sortedSeries(snapshot.series, order: order)
        let name = Array(family.name.utf8)
        let bucketName = Array((family.name + "_bucket").utf8)
        let sumName = Array((family.name + "_sum").utf8)
        let countName = Array((family.name + "_count").utf8)
        var bounds: [Double] = []
        var leLabels: [[UInt8]] = []
        var labels: [UInt8] = []
        var number: [UInt8] = []
        for s in series {
            labels.removeAll(keepingCapacity: true)
            for i in order {
                if !labels.isEmpty { labels.append(UInt8(ascii: ",")) }
                labels.append(contentsOf: family.labelNames[i].utf8)
                labels.append(contentsOf: "=\"".utf8)
                appendEscaped(s.labelValues[i], quotes: true, to: &labels)
                labels.append(UInt8(ascii: "\""))
            }
            switch s.value {
            case .number(let v):
                appendLine(name, labels, extra: nil, value: formatValue(v, format: format), to: &out)
            case .histogram(let h):
                if h.upperBounds != bounds {
                    bounds = h.upperBounds
                    leLabels = (bounds + [.infinity]).map { Array("le=\"".utf8) + formatValue($0, format: format) + [UInt8(ascii: "\"")] }
                }
                for (i, le) in leLabels.enumerated() {
                    appendInteger(i < h.cumulativeCounts.count ? h.cumulativeCounts[i] : h.count, to: &number)
                    appendLine(bucketName, labels, extra: le, value: number, to: &out)
                }
                appendLine(sumName, labels, extra: nil, value: formatValue(h.sum, format: format), to: &out)
                appendInteger(h.count, to: &number)
                appendLine(countName, labels, extra: nil, value: number, to: &out)
            }
        }
    }

    /// Series in label-value order (labels taken in `order`). Each series gets
    /// a byte key, its values each followed by a 0 byte, so that one memcmp
    /// decides; with 500,000 series, comparing label Strings one by one was
    /// most of a render. A value holding a 0 byte would make the key
    /// ambiguous: then the values are compared as strings.
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
                    return a.labelValues[i].utf8.lexicographicallyPrecedes(b.labelValues[i].utf8)
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

    /// Replaces `out` with the decimal digits of `value`.
    static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var v = value
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        out.reverse()
    }

    static func appendLine(_ name: [UInt8], _ labels: [UInt8], extra: [UInt8]?, value: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: name)
        if !labels.isEmpty || extra != nil {
            out.append(UInt8(ascii: "{"))
            out.append(contentsOf: labels)
            if let extra {
                if !labels.isEmpty { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: extra)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: value)
        out.append(UInt8(ascii: "\n"))
    }

    /// Text format: Go's shortest form. OpenMetrics: the same, with `.0` added to
    /// integral values, as expfmt's OpenMetrics writer does.
    static func formatValue(_ value: Double, format: ExpositionFormat) -> [UInt8] {
        var bytes = Array(FloatFormat.format(value).utf8)
        if format == .openMetrics, value.isFinite,
           !bytes.contains(UInt8(ascii: ".")), !bytes.contains(UInt8(ascii: "e")) {
            bytes.append(contentsOf: ".0".utf8)
        }
        return bytes
    }

    /// Escapes `\` and newline, and `"` when `quotes` (label values always;
    /// HELP only in OpenMetrics).
    static func appendEscaped(_ text: String, quotes: Bool, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\"") where quotes: out.append(contentsOf: "\\\"".utf8)
            default: out.append(byte)
            }
        }
    }
}
