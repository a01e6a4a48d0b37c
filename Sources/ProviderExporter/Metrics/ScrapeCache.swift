import Synchronization

/// Rendered `/metrics` bodies, shared by every scrape within `maxAge`.
///
/// A scrape whose variant (format, gzip) is fresh gets the cached bytes without
/// waiting. Otherwise it awaits the renderer, an actor, so that concurrent scrapes
/// share one collection and one encoding per variant; gzip runs once per rendered
/// body, never per request. Collection samples `process_*` afresh, which is why
/// the window is short (one second by default). Only the bodies asked for are
/// kept: a gzip scrape with no plain body in its window is compressed as it is
/// written and never holds the 40 MB plain body at all.
public final class ScrapeCache: Sendable {
    /// The four bodies a scrape can ask for.
    public struct Variant: Hashable, Sendable {
        public var format: ExpositionFormat
        public var gzip: Bool
        public init(format: ExpositionFormat, gzip: Bool) {
            self.format = format
            self.gzip = gzip
        }
    }

    /// An encoded body; `gzipped` is false if zlib failed and plain bytes stand in.
    public struct Body: Sendable {
        public var bytes: [UInt8]
        public var gzipped: Bool
    }

    struct Window {
        var startedAt: Double
        /// The cache's generation when the families were collected.
        var generation: UInt64
        var exposition: Exposition
        var bodies: [Variant: Body] = [:]
    }

    private let window = Mutex<Window?>(nil)
    /// Bumped by `invalidate()`; a window of an older generation is never served.
    private let generation = Atomic<UInt64>(0)
    private let renderer: Renderer
    let maxAge: Double
    let clock: any TimeSource

    /// - Parameters:
    ///   - collect: gathers every family; called at most once per window.
    ///   - maxAge: seconds a rendered body may be served.
    ///   - clock: its monotonic time ages the window.
    public init(maxAge: Double = 1.0, clock: any TimeSource = SystemClock(),
                collect: @escaping @Sendable () -> Exposition) {
        self.maxAge = maxAge
        self.clock = clock
        self.renderer = Renderer(collect: collect)
    }

    /// A cache of collectors' families only.
    public convenience init(maxAge: Double = 1.0, clock: any TimeSource = SystemClock(),
                            families: @escaping @Sendable () -> [FamilySnapshot]) {
        self.init(maxAge: maxAge, clock: clock) { Exposition(families()) }
    }

    /// The cached body for `variant` if it is fresh; nil means call `render`.
    public func cached(_ variant: Variant) -> Body? {
        fresh()?.bodies[variant]
    }

    /// Drops what is cached, including a render under way: the next scrape
    /// collects afresh. After a reload, so that the first scrape shows it.
    public func invalidate() {
        generation.add(1, ordering: .sequentiallyConsistent)
    }

    private func fresh() -> Window? {
        let now = clock.monotonic()
        let current = generation.load(ordering: .sequentiallyConsistent)
        return window.withLock { w in
            guard let w, now - w.startedAt < maxAge, w.generation == current else { return nil }
            return w
        }
    }

    /// A fresh body for `variant`, rendering it if no other scrape has.
    public func render(_ variant: Variant) async -> Body {
        await renderer.render(variant, cache: self)
    }

    /// Serializes renders; runs no suspension points inside, so one render
    /// completes before the next caller looks at the cache.
    actor Renderer {
        let collect: @Sendable () -> Exposition
        /// The last plain body's size per format: the next buffer's capacity.
        var lastSize: [ExpositionFormat: Int] = [:]
        /// The last plain body, whose storage the next encoding writes over
        /// once its scrapes are answered (until then it is copied on write).
        /// Keeping it costs its size in memory and saves a page fault per 4 KiB
        /// of every render.
        var spare: [UInt8] = []
        init(collect: @escaping @Sendable () -> Exposition) { self.collect = collect }

        func render(_ variant: Variant, cache: ScrapeCache) -> Body {
            // Reuse the window's collection for the other variants, so a text and
            // an OpenMetrics scrape in the same second agree.
            let fresh = cache.fresh()
            if let body = fresh?.bodies[variant] { return body }
            // Read the generation before collecting: an invalidation during the
            // collection makes this window stale at once.
            let generation = cache.generation.load(ordering: .sequentiallyConsistent)
            // An expired window lets go of its bodies first, so that the spare
            // buffer is the only holder of its storage once they are sent.
            if fresh == nil { cache.window.withLock { $0 = nil } }
            // Collect outside the lock: scrapes of fresh variants never wait on it.
            var current = fresh ?? Window(startedAt: cache.clock.monotonic(), generation: generation, exposition: collect())
            let plainVariant = Variant(format: variant.format, gzip: false)
            var body: Body
            if variant.gzip, current.bodies[plainVariant] == nil {
                body = encodeGzipped(current.exposition, variant.format)
            } else {
                let plain = current.bodies[plainVariant] ?? Body(bytes: encode(current.exposition, variant.format), gzipped: false)
                body = plain
                if variant.gzip, let compressed = Gzip.compress(plain.bytes) { body = Body(bytes: compressed, gzipped: true) }
                spare = plain.bytes
            }
            current.bodies[variant] = body
            let stored = current
            cache.window.withLock { $0 = stored }
            return body
        }

        /// A gzip scrape with no plain body in the window (Prometheus asks for
        /// gzip): compressed while it is written, in pieces, so no 40 MB plain
        /// buffer is needed or kept. zlib failing falls back to the plain body.
        func encodeGzipped(_ exposition: Exposition, _ format: ExpositionFormat) -> Body {
            let (compressed, size) = exposition.encodeGzipped(format, expected: lastSize[format])
            lastSize[format] = size
            if size > 1 << 20 { Posix.returnFreeMemory() }
            if let compressed { return Body(bytes: compressed, gzipped: true) }
            return Body(bytes: encode(exposition, format), gzipped: false)
        }

        func encode(_ exposition: Exposition, _ format: ExpositionFormat) -> [UInt8] {
            // Before the first body, a generous guess (pages never written are
            // never resident): growing 40 MB by doubling left the smaller
            // buffers behind in the heap.
            let hint = lastSize[format].map { $0 + $0 / 16 + 4096 } ?? exposition.sizeGuess
            var buffer: [UInt8] = []
            swap(&buffer, &spare)
            let bytes = exposition.encode(format, capacity: hint, reusing: &buffer)
            lastSize[format] = bytes.count
            // A large render frees megabytes of per-scrape tables (and the
            // store's copy-on-write copies); hand those pages back.
            if bytes.count > 1 << 20 { Posix.returnFreeMemory() }
            return bytes
        }
    }
}
