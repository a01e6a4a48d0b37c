/// Formats sample values exactly as Go's `strconv.FormatFloat(v, 'g', -1, 64)`,
/// which is what Prometheus' own encoders write: shortest round-trip digits,
/// exponent form below 1e-4 and from 1e+06 up, and `+Inf`, `-Inf`, `NaN`.
///
/// Swift's `description` already yields the shortest round-trip digits (both
/// languages pick the closest shortest decimal), so the digits are taken from it
/// and only the layout is Go's. `append` writes straight into an output
/// buffer: integers without any temporary, others through `description`, which
/// is an inline (small) string up to 15 bytes.
public enum FloatFormat {
    public static func format(_ value: Double) -> String {
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the Go form of `value` to `out`.
    public static func append<Out: ByteSink>(_ value: Double, to out: inout Out) {
        if value.isNaN { return out.put("NaN") }
        if value.isInfinite { return out.put(value < 0 ? "-Inf" : "+Inf") }
        if value == 0 { return out.put(value.sign == .minus ? "-0" : "0") }
        // Integers below 1e6 are most samples (counters, states, status codes):
        // Go prints them as plain digits.
        if value.magnitude < 1e6, value == value.rounded() {
            if value < 0 { out.put(UInt8(ascii: "-")) }
            return appendInteger(UInt64(value.magnitude), to: &out)
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(value.magnitude, into: digits)
            layout(negative: value < 0, digits: UnsafeBufferPointer(rebasing: digits[..<count]),
                   pointPosition: pointPosition, to: &out)
        }
    }

    /// Appends the decimal digits of `value`.
    public static func appendInteger<Out: ByteSink>(_ value: UInt64, to out: inout Out) {
        if value < 10 { return out.put(UInt8(ascii: "0") + UInt8(value)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var v = value
            var i = 20
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            out.put(UnsafeBufferPointer(rebasing: buffer[i...]))
        }
    }

    /// The shortest round-trip decimal digits of a finite, positive value, written
    /// to `digits` (at most 17), with the position of the decimal point relative
    /// to the first digit (Go's `digs.dp`): value = 0.d1d2d3... × 10^pointPosition.
    static func shortestDigits(_ value: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (count: Int, pointPosition: Int) {
        var count = 0
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        var leading = true
        var leadingZerosAfterPoint = 0
        // At most 24 bytes, read in place (a UTF8View walk cost as much as the digits).
        var text = value.description
        text.withUTF8 { utf8 in
            for c in utf8 {
                if inExponent {
                    if c == UInt8(ascii: "-") { exponentSign = -1 } else if c != UInt8(ascii: "+") {
                        exponent = exponent * 10 + Int(c &- UInt8(ascii: "0"))
                    }
                    continue
                }
                switch c {
                case UInt8(ascii: "."): seenPoint = true
                case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
                case UInt8(ascii: "0") where leading:
                    // Leading zeros ("0.001") move the point left instead.
                    if seenPoint { leadingZerosAfterPoint += 1 }
                default:
                    leading = false
                    if count < digits.count { digits[count] = c; count += 1 }
                    if !seenPoint { integerDigits += 1 }
                }
            }
        }
        // Trailing zeros ("1234567.0", "100.0").
        while count > 1, digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, integerDigits - leadingZerosAfterPoint + exponentSign * exponent)
    }

    /// Go's `%e` / `%f` choice for shortest `'g'`: exponent form when the decimal
    /// exponent is below -4 or at least 6 (Go uses precision 6 for the decision
    /// when formatting the shortest representation).
    static func layout<Out: ByteSink>(negative: Bool, digits: UnsafeBufferPointer<UInt8>, pointPosition: Int, to out: inout Out) {
        if negative { out.put(UInt8(ascii: "-")) }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            out.put(digits[0])
            if digits.count > 1 {
                out.put(UInt8(ascii: "."))
                out.put(UnsafeBufferPointer(rebasing: digits[1...]))
            }
            out.put(UInt8(ascii: "e"))
            out.put(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = exponent.magnitude
            if magnitude < 10 { out.put(UInt8(ascii: "0")) }
            appendInteger(UInt64(magnitude), to: &out)
        } else if pointPosition <= 0 {
            out.put("0.")
            for _ in 0 ..< -pointPosition { out.put(UInt8(ascii: "0")) }
            out.put(digits)
        } else if pointPosition >= digits.count {
            out.put(digits)
            for _ in 0 ..< pointPosition - digits.count { out.put(UInt8(ascii: "0")) }
        } else {
            out.put(UnsafeBufferPointer(rebasing: digits[..<pointPosition]))
            out.put(UInt8(ascii: "."))
            out.put(UnsafeBufferPointer(rebasing: digits[pointPosition...]))
        }
    }
}
