/// Label and HELP text as the exposition formats escape it.
public enum LabelText {
    /// Escapes `\` and newline, and `"` when `quotes` (label values always;
    /// HELP only in OpenMetrics).
    public static func appendEscaped<Out: ByteSink>(_ text: String, quotes: Bool, to out: inout Out) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.put("\\\\")
            case UInt8(ascii: "\n"): out.put("\\n")
            case UInt8(ascii: "\"") where quotes: out.put("\\\"")
            default: out.put(byte)
            }
        }
    }

    /// `name="value"`, the value escaped.
    public static func pair(_ name: String, _ value: String) -> [UInt8] {
        var out = Array(name.utf8)
        out.append(contentsOf: "=\"".utf8)
        appendEscaped(value, quotes: true, to: &out)
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// Whether `a` sorts before `b` in the exposition's order: by UTF-8 bytes,
    /// a prefix first.
    @inline(__always)
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
