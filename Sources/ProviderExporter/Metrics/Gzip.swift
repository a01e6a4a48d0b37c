import CSystem

/// gzip through the system zlib.
public enum Gzip {
    /// A complete gzip member holding `bytes`, or nil if zlib failed. The
    /// default level is 6, and 1 above 1 MiB: on a 33 MB exposition (10,000
    /// checks) level 1 takes about half the time for a 12% larger body.
    ///
    /// zlib writes into a buffer of its worst-case bound left uninitialized
    /// (pages it never reaches are never resident); the result is copied out
    /// at its size, so a cached 4 MB body does not pin a 40 MB allocation.
    public static func compress(_ bytes: [UInt8], level: Int32? = nil) -> [UInt8]? {
        let level = level ?? (bytes.count > 1 << 20 ? 1 : 6)
        let bound = cs_gzip_bound(bytes.count)
        var size = bound
        var ok = false
        let scratch = [UInt8](unsafeUninitializedCapacity: bound) { output, initialized in
            let rc = bytes.withUnsafeBufferPointer { input in
                cs_gzip(input.baseAddress, input.count, output.baseAddress, &size, level)
            }
            ok = rc == 0
            initialized = ok ? size : 0
        }
        return ok ? Array(scratch[...]) : nil
    }
}
