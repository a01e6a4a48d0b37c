/// Formats sample values exactly as Go's `strconv.FormatFloat(v, 'g', -1, 64)`,
/// which is what Prometheus' own encoders write: shortest round-trip digits,
/// exponent form below 1e-4 and from 1e+06 up, and `+Inf`, `-Inf`, `NaN`.
///
/// Swift's `description` already yields the shortest round-trip digits (both
/// languages pick the closest shortest decimal), so the digits are taken from it
/// and only the layout is Go's.
public enum FloatFormat {
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Integers up to 2^53 are common (counters, timestamps, byte counts) and
        // need no digit extraction: they print as Go would when below 1e6.
        if value.magnitude < 1e6, value == value.rounded(), let i = Int(exactly: value) {
            return String(i)
        }
        let (negative, digits, pointPosition) = shortestDigits(value)
        return layout(negative: negative, digits: digits, pointPosition: pointPosition)
    }

    /// The shortest round-trip decimal digits of a finite, non-zero value, with the
    /// position of the decimal point relative to the first digit (Go's `digs.dp`):
    /// value = 0.d1d2d3... × 10^pointPosition.
    static func shortestDigits(_ value: Double) -> (negative: Bool, digits: [UInt8], pointPosition: Int) {
        var text = Array(value.magnitude.description.utf8)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self)) ?? 0
            text = Array(text[..<e])
        }
        var digits: [UInt8] = []
        var integerDigits = 0
        var seenPoint = false
        for c in text {
            if c == UInt8(ascii: ".") { seenPoint = true; continue }
            digits.append(c)
            if !seenPoint { integerDigits += 1 }
        }
        var pointPosition = integerDigits + exponent
        // Strip leading zeros ("0.001" -> "1", point moves left) and trailing zeros.
        while let first = digits.first, first == UInt8(ascii: "0"), digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0"), digits.count > 1 {
            digits.removeLast()
        }
        return (value < 0, digits, pointPosition)
    }

    /// Go's `%e` / `%f` choice for shortest `'g'`: exponent form when the decimal
    /// exponent is below -4 or at least 6 (Go uses precision 6 for the decision
    /// when formatting the shortest representation).
    static func layout(negative: Bool, digits: [UInt8], pointPosition: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + 8)
        if negative { out.append(UInt8(ascii: "-")) }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = exponent.magnitude
            if magnitude < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: String(magnitude).utf8)
        } else if pointPosition <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
            out.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
        } else {
            out.append(contentsOf: digits[..<pointPosition])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[pointPosition...])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
