import Synchronization

/// The last `capacity` probes with what their debug report needs (
/// `/probe?debug=true` and the landing page's recent probes). Memory is
/// bounded by the capacity: each entry holds one probe's outcome (its traces
/// keep 2 KiB of each body) and a snapshot of its provider with that check.
public final class ProbeJournal: Sendable {
    /// Who asked for the probe.
    public enum Source: String, Sendable {
        case scheduler
        case probeEndpoint = "/probe"
    }

    /// What the probe saw.
    public typealias Detail = ProbeFinished

    public struct Entry: Sendable {
        public var id: UInt64
        public var provider: String
        public var check: String
        public var source: Source
        /// Unix time the probe finished.
        public var finishedAt: Double
        public var duration: Double
        /// A `ProbeResult`, or for a status page `ok`, `not_modified` or `error`.
        public var result: String
        public var failed: Bool
        public var stateBefore: ProviderHealth
        public var stateAfter: ProviderHealth
        public var detail: Detail
        /// The provider as the probe left it, with only this check (or only its page).
        public var snapshot: ProviderRecord
    }

    public static let capacity = 100

    private struct Ring {
        var entries: [Entry] = []
        var nextID: UInt64 = 1
    }

    private let ring = Mutex(Ring())

    public init() {}

    /// Keeps `entry` (its id is assigned here), dropping the oldest beyond capacity.
    @discardableResult
    public func append(_ entry: Entry) -> UInt64 {
        ring.withLock { r in
            var e = entry
            e.id = r.nextID
            r.nextID += 1
            r.entries.append(e)
            if r.entries.count > Self.capacity { r.entries.removeFirst(r.entries.count - Self.capacity) }
            return e.id
        }
    }

    /// Newest first.
    public var recent: [Entry] { ring.withLock { $0.entries.reversed() } }

    public func entry(id: UInt64) -> Entry? {
        ring.withLock { r in r.entries.first { $0.id == id } }
    }

    /// The newest kept probe of a check.
    public func latest(provider: String, check: String) -> Entry? {
        ring.withLock { r in r.entries.last { $0.provider == provider && $0.check == check } }
    }

    /// Drops the entries of checks that left the config.
    public func retain(_ keep: (String, String) -> Bool) {
        ring.withLock { r in r.entries.removeAll { !keep($0.provider, $0.check) } }
    }
}
