/// The timing rules of README, "Checks, results and state" for one check, as pure arithmetic on
/// Unix seconds: each check runs on a grid `offset + k × interval`, where the
/// offset is a stable hash of provider and check; while the provider is down
/// the interval doubles after each failure up to `backoff_max`; after a retry
/// hint (`Retry-After`, Gemini's `RetryInfo`) the next probe is due at
/// `finish + max(interval, min(hint, backoff_max))`, `backoff_max` read as 5 m
/// when backoff is off, so no hint can freeze a check for longer.
public struct Schedule: Sendable, Equatable {
    public let interval: Double
    public let offset: Double
    public let backoffMax: Double
    /// Doublings in force: 0 until the provider is down and probes keep failing.
    public private(set) var backoffLevel = 0

    public init(provider: String, check: String, interval: Double, backoffMax: Double) {
        self.interval = interval
        self.backoffMax = backoffMax
        offset = Self.stableOffset("\(provider)/\(check)", interval: interval)
    }

    /// FNV-1a of the key, scaled into [0, interval) at millisecond resolution.
    static func stableOffset(_ key: String, interval: Double) -> Double {
        let hash = key.fnv1a
        let ms = max(1, UInt64(interval * 1000))
        return Double(hash % ms) / 1000
    }

    /// When a check first runs after (re)start: within 15 s, at a stable
    /// position (the offset folded into the first 15 s), so a fresh exporter
    /// has data in seconds rather than after a whole interval; the grid follows.
    public func firstRun(after t: Double) -> Double {
        t + offset.truncatingRemainder(dividingBy: min(interval, 15))
    }

    /// The first grid slot at or after `t`.
    public func slot(atOrAfter t: Double) -> Double {
        let k = ((t - offset) / interval).rounded(.up)
        return offset + k * interval
    }

    /// What to do after the probe of the slot `due` that finished at
    /// `finished` (later than the slot if it waited for a permit or ran long).
    public struct Next: Sendable, Equatable {
        public var at: Double
        /// Slots that passed while the probe waited or ran.
        public var overlapSkips: Int
        /// Slots left out because of backoff.
        public var backoffSkips: Int
        /// Whether backoff put `at` later than the regular slot: `/probe` does
        /// not run the check before then. (A retry hint's hold is the probe
        /// path's: `ProbeRunner` sets it whoever ran the hinted probe.)
        public var held = false
    }

    /// The longest a retry hint may postpone a probe: `backoff_max`, or 5 m
    /// when backoff is off. The one rule for both who hold: the schedule and
    /// the probe path (`ProbeRunner`).
    public var hintCap: Double { Self.hintCap(backoffMax: backoffMax) }

    public static func hintCap(backoffMax: Double) -> Double { backoffMax > 0 ? backoffMax : 300 }

    public mutating func next(due: Double, finished: Double, succeeded: Bool, providerDown: Bool, retryAfter: Double?) -> Next {
        if succeeded {
            backoffLevel = 0
        } else if providerDown && backoffMax > interval {
            backoffLevel = min(backoffLevel + 1, 30)
        }
        // Slots strictly after `due` that had passed by the time the probe finished.
        let regular = slot(atOrAfter: due + interval / 2)
        // Never the slot that just ran, even if the probe took no time at all.
        let free = max(regular, slot(atOrAfter: finished))
        let overlap = max(0, Int(((free - regular) / interval).rounded()))
        var at = free
        var backoffSkips = 0
        if backoffLevel > 0 {
            let stretched = min(interval * Double(1 << backoffLevel), max(backoffMax, interval))
            let backedOff = slot(atOrAfter: due + stretched - interval / 2)
            if backedOff > at {
                backoffSkips = Int(((backedOff - at) / interval).rounded())
                at = backedOff
            }
        }
        let held = backoffSkips > 0
        if let retryAfter, retryAfter.isFinite, retryAfter >= 0 {
            at = max(at, finished + max(interval, min(retryAfter, hintCap)))
        }
        return Next(at: at, overlapSkips: overlap, backoffSkips: backoffSkips, held: held)
    }
}
