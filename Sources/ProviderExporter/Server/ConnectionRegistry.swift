import Glibc
import Synchronization

/// Every open connection across all event loops, for `--web.max-connections`.
///
/// SPEC section 2's rule: at the limit, a new connection evicts the oldest one that
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
    }

    struct State {
        var entries: [Int32: Entry] = [:]
        /// Entries not yet evicted; what the limit counts.
        var live = 0
        var evictions: UInt64 = 0
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
                guard let victim = Self.victim(in: s.entries) else { return .rejected }
                s.entries[victim]!.evicted = true
                s.live -= 1
                s.evictions += 1
                shutdown(victim, Int32(SHUT_RDWR))
                admission = .admittedEvicting(victim)
            }
            s.entries[fd] = Entry(phase: .reading, since: now)
            s.live += 1
            return admission
        }
    }

    /// The oldest reading connection, else the longest-idle one, never a busy one.
    static func victim(in entries: [Int32: Entry]) -> Int32? {
        var best: (fd: Int32, rank: Int, since: Double)? = nil
        for (fd, e) in entries where !e.evicted {
            let rank: Int
            switch e.phase {
            case .reading: rank = 0
            case .idle: rank = 1
            case .busy: continue
            }
            if let b = best, (b.rank, b.since) <= (rank, e.since) { continue }
            best = (fd, rank, e.since)
        }
        return best?.fd
    }

    func update(_ fd: Int32, phase: Phase, now: Double) {
        state.withLock { s in
            s.entries[fd]?.phase = phase
            s.entries[fd]?.since = now
        }
    }

    /// Call before `close(fd)`.
    func remove(_ fd: Int32) {
        state.withLock { s in
            if let e = s.entries.removeValue(forKey: fd), !e.evicted { s.live -= 1 }
        }
    }

    var counts: (live: Int, evictions: UInt64) {
        state.withLock { ($0.live, $0.evictions) }
    }
}
