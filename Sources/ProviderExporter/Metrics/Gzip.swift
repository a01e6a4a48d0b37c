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

extension Gzip {
    /// A gzip member compressed as its pieces arrive: a 40 MB exposition is
    /// compressed in pieces of a few hundred KB while it is written, still in
    /// the CPU's cache, and never held whole (README, "Performance").
    /// `finish()` gives the member, or nil if zlib failed at any point.
    final class Stream {
        private var stream: UnsafeMutableRawPointer?
        /// The compressed bytes so far (`count` of them), grown by doubling.
        private var output: UnsafeMutablePointer<UInt8>
        private var capacity: Int
        private var count = 0
        private var failed = false
        /// Plain bytes taken so far.
        private(set) var taken = 0

        /// `compress`'s levels: 6, and 1 for a body expected above 1 MiB.
        init(expected: Int, capacity: Int = 1 << 16) {
            let level: Int32 = expected > 1 << 20 ? 1 : 6
            stream = cs_gzip_stream_new(level)
            failed = stream == nil
            self.capacity = max(capacity, 1 << 12)
            output = .allocate(capacity: self.capacity)
        }

        deinit {
            cs_gzip_stream_free(stream)
            output.deallocate()
        }

        func write(_ bytes: UnsafeBufferPointer<UInt8>) {
            taken += bytes.count
            deflate(bytes, finish: false)
        }

        func finish() -> [UInt8]? {
            deflate(UnsafeBufferPointer(start: nil, count: 0), finish: true)
            cs_gzip_stream_free(stream)
            stream = nil
            guard !failed else { return nil }
            return Array(UnsafeBufferPointer(start: output, count: count))
        }

        private func deflate(_ input: UnsafeBufferPointer<UInt8>, finish: Bool) {
            guard !failed, let stream else { return }
            var offset = 0
            while true {
                if capacity - count < 1 << 15 { grow() }
                var used = 0, produced = 0
                let rc = cs_gzip_stream_write(stream, input.baseAddress.map { $0 + offset }, input.count - offset, &used,
                                              output + count, capacity - count, &produced, finish ? 1 : 0)
                offset += used
                count += produced
                if rc < 0 { failed = true; return }
                if rc == 1 { return }                          // the member is complete
                if !finish && offset == input.count { return } // all of this piece taken
                // No progress with room to spare would loop for ever: give up on the body.
                if used == 0 && produced == 0 { failed = true; return }
            }
        }

        private func grow() {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: output, count: count)
            output.deallocate()
            output = bigger
            capacity *= 2
        }
    }
}
