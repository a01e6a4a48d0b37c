/// A duration in Prometheus' form: `500ms`, `10s`, `5m`, `1h30m`, `2d`, `1w`,
/// `1y`; units largest first, each at most once; `0` and `0s` are zero.
public struct PromDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int64) -> PromDuration { PromDuration(milliseconds: s * 1000) }

    public var seconds: Double { Double(milliseconds) / 1000 }

    static let units: [(String, Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// nil when `text` is not a duration.
    public init?(parsing text: String) {
        if text == "0" { self.init(milliseconds: 0); return }
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnit = -1
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m"; a unit must come after any larger one already seen.
            guard let index = Self.units.indices.sorted(by: { Self.units[$0].0.count > Self.units[$1].0.count })
                .first(where: { rest.hasPrefix(Self.units[$0].0) }), index > lastUnit else { return nil }
            rest = rest.dropFirst(Self.units[index].0.count)
            lastUnit = index
            let (product, overflow) = n.multipliedReportingOverflow(by: Self.units[index].1)
            guard !overflow else { return nil }
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow2 else { return nil }
            total = sum
        }
        self.init(milliseconds: total)
    }

    /// Prometheus' canonical form, e.g. `1m30s`, `500ms`, `0s`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds
        var out = ""
        for (name, size) in Self.units where rest >= size {
            out += "\(rest / size)\(name)"
            rest %= size
        }
        return out
    }

    public static func < (a: PromDuration, b: PromDuration) -> Bool { a.milliseconds < b.milliseconds }
}
