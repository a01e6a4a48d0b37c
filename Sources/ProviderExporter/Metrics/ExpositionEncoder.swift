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
        let series = snapshot.series.sorted { a, b in
            for i in order where a.labelValues[i] != b.labelValues[i] {
                return a.labelValues[i].utf8.lexicographicallyPrecedes(b.labelValues[i].utf8)
            }
            return false
        }
        for s in series {
            var labels: [UInt8] = []
            for i in order {
                if !labels.isEmpty { labels.append(UInt8(ascii: ",")) }
                labels.append(contentsOf: family.labelNames[i].utf8)
                labels.append(contentsOf: "=\"".utf8)
                appendEscaped(s.labelValues[i], quotes: true, to: &labels)
                labels.append(UInt8(ascii: "\""))
            }
            switch s.value {
            case .number(let v):
                appendSample(name: family.name, labels: labels, extra: nil, value: v, format: format, to: &out)
            case .histogram(let h):
                for (bound, count) in zip(h.upperBounds, h.cumulativeCounts) {
                    appendBucket(family.name, labels, bound: bound, count: count, format: format, to: &out)
                }
                appendBucket(family.name, labels, bound: .infinity, count: h.count, format: format, to: &out)
                appendSample(name: family.name + "_sum", labels: labels, extra: nil, value: h.sum, format: format, to: &out)
                appendLine(family.name + "_count", labels, extra: nil, value: Array(String(h.count).utf8), to: &out)
            }
        }
    }

    static func appendBucket(_ name: String, _ labels: [UInt8], bound: Double, count: UInt64,
                             format: ExpositionFormat, to out: inout [UInt8]) {
        var le: [UInt8] = Array("le=\"".utf8)
        le.append(contentsOf: formatValue(bound, format: format))
        le.append(UInt8(ascii: "\""))
        appendLine(name + "_bucket", labels, extra: le, value: Array(String(count).utf8), to: &out)
    }

    static func appendSample(name: String, labels: [UInt8], extra: [UInt8]?, value: Double,
                             format: ExpositionFormat, to out: inout [UInt8]) {
        appendLine(name, labels, extra: extra, value: formatValue(value, format: format), to: &out)
    }

    static func appendLine(_ name: String, _ labels: [UInt8], extra: [UInt8]?, value: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
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
