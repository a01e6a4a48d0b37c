/// Text helpers every layer uses: trimming and zero-padding.
extension StringProtocol {
    /// The text without leading and trailing characters of `set` (by default
    /// spaces and tabs, HTTP's optional whitespace).
    func trimmed(_ set: String = " \t") -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    /// Left-padded with zeros to at least `width` characters.
    func zeroPadded(_ width: Int) -> String {
        count >= width ? String(self) : String(repeating: "0", count: width - count) + self
    }
}

extension BinaryInteger {
    /// The decimal digits, left-padded with zeros to at least `width`.
    func zeroPadded(_ width: Int) -> String { String(self).zeroPadded(width) }
}

extension StringProtocol {
    /// FNV-1a (64-bit) of the UTF-8 bytes: a stable, cheap fingerprint (not a
    /// secure hash) for spreading keys and noticing changed text.
    var fnv1a: UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return hash
    }
}
