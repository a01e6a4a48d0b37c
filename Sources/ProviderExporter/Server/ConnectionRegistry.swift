import Glibc
import Synchronization

/// Every open connection across all event loops, for `--web.max-connections`.
///
/// The rule of `--web.max-connections`: at the limit, a new connection evicts the oldest one that
/// has not sent a complete request head, else the longest-idle keep-alive one; only
/// when every connection is busy with a request is the new one closed at once.
/// Eviction is a `shutdown(2)` done under the lock; the owning loop then sees the
/// hang-up and closes the descriptor itself, removing it here first, so a
/// descriptor number is never shut down after it was reused.
final class ConnectionRegistry: Sendable {
    enum Phase: Sendable {
        /// Connected or mid-request: no complete head (or body) yet.
        case reading
        /// Keep-alive, waiting for the next request.
        case idle
        /// A request is being answered.
        case busy
    }

    struct Entry {
        var phase: Phase
        var since: Double
        var evicted = false
        /// Changes with every update: what tells a heap record current from stale.
        var stamp: UInt64
    }

    /// An eviction candidate as it was when recorded; stale once its entry changed.
    struct Candidate: Comparable {
        var since: Double
        var stamp: UInt64
        var fd: Int32
        static func < (a: Candidate, b: Candidate) -> Bool { (a.since, a.stamp) < (b.since, b.stamp) }
    }

    struct State {
        var entries: [Int32: Entry] = [:]
        /// Entries not yet evicted; what the limit counts.
        var live = 0
        var evictions: UInt64 = 0
        var nextStamp: UInt64 = 0
        /// Reading and idle connections, oldest first. Records go stale rather
        /// than being removed, so admitting at the limit costs O(log n), not a
        /// scan of every connection (a connection flood admits thousands a second).
        var reading = MinHeap<Candidate>()
        var idle = MinHeap<Candidate>()

        mutating func set(_ fd: Int32, phase: Phase, since: Double) {
            nextStamp += 1
            let candidate = Candidate(since: since, stamp: nextStamp, fd: fd)
            if entries[fd] == nil {
                entries[fd] = Entry(phase: phase, since: since, stamp: nextStamp)
            } else {
                entries[fd]!.phase = phase
                entries[fd]!.since = since
                entries[fd]!.stamp = nextStamp
            }
            switch phase {
            case .reading: reading.push(candidate)
            case .idle: idle.push(candidate)
            case .busy: break
            }
            // Keep stale records from outgrowing the connections.
            if reading.count + idle.count > 2 * entries.count + 64 { rebuild() }
        }

        /// The oldest reading connection, else the longest-idle one, never a busy one.
        mutating func takeVictim() -> Int32? {
            Self.oldestCurrent(&reading, entries) ?? Self.oldestCurrent(&idle, entries)
        }

        /// Drops stale records off the top of `heap`; the first current one's fd.
        private static func oldestCurrent(_ heap: inout MinHeap<Candidate>, _ entries: [Int32: Entry]) -> Int32? {
            while let top = heap.peek {
                if let e = entries[top.fd], e.stamp == top.stamp, !e.evicted { return top.fd }
                _ = heap.pop()
            }
            return nil
        }

        mutating func rebuild() {
            reading = MinHeap()
            idle = MinHeap()
            for (fd, e) in entries where !e.evicted {
                let c = Candidate(since: e.since, stamp: e.stamp, fd: fd)
                switch e.phase {
                case .reading: reading.push(c)
                case .idle: idle.push(c)
                case .busy: break
                }
            }
        }
    }

    enum Admission: Equatable {
        case admitted
        case admittedEvicting(Int32)
        case rejected
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func admit(_ fd: Int32, now: Double) -> Admission {
        state.withLock { s in
            var admission = Admission.admitted
            if s.live >= limit {
                guard let victim = s.takeVictim() else { return .rejected }
                s.entries[victim]!.evicted = true
                s.live -= 1
                s.evictions += 1
                shutdown(victim, Int32(SHUT_RDWR))
                admission = .admittedEvicting(victim)
            }
            s.set(fd, phase: .reading, since: now)
            s.live += 1
            return admission
        }
    }

    func update(_ fd: Int32, phase: Phase, now: Double) {
        state.withLock { s in
            guard let e = s.entries[fd], !e.evicted else { return }
            s.set(fd, phase: phase, since: now)
        }
    }

    /// Call before `close(fd)`.
    func remove(_ fd: Int32) {
        state.withLock { s in
            if let e = s.entries.removeValue(forKey: fd), !e.evicted { s.live -= 1 }
        }
    }

    /// Evicted connections whose loop has not closed them yet. Accepting pauses
    /// at `maxLingering`, so that descriptors stay within the limit plus that
    /// many while a flood evicts faster than the loops close.
    var lingering: Int {
        state.withLock { $0.entries.count - $0.live }
    }
    static let maxLingering = 64

    /// Heap records, current and stale (tests: they stay bounded).
    var candidateRecords: Int {
        state.withLock { $0.reading.count + $0.idle.count }
    }

    var counts: (live: Int, evictions: UInt64) {
        state.withLock { ($0.live, $0.evictions) }
    }

    /// Connections mid-request (a head or body partly read).
    var reading: Int {
        state.withLock { s in s.entries.values.reduce(0) { $0 + ($1.phase == .reading && !$1.evicted ? 1 : 0) } }
    }
}
