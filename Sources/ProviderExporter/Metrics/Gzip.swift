import CSystem

/// gzip through the system zlib.
public enum Gzip {
    /// A complete gzip member holding `bytes`, or nil if zlib failed.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
        var capacity = cs_gzip_bound(bytes.count)
        var out = [UInt8](repeating: 0, count: capacity)
        let rc = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                cs_gzip(input.baseAddress, input.count, output.baseAddress, &capacity, level)
            }
        }
        guard rc == 0 else { return nil }
        out.removeLast(out.count - capacity)
        return out
    }
}
