/// The one clock of the exporter, injected wherever time decides: the
/// scheduler and probe path (when a probe is due, holds), the checks and the
/// HTTP client (deadlines, durations, time to first token), the status-page
/// fetcher, the server's head, idle and write timeouts, and the scrape cache.
/// Tests drive it by hand; pure functions take `now:` as a value.
public protocol TimeSource: Sendable {
    /// Unix seconds: what metrics and logs show.
    func now() -> Double
    /// Seconds on a clock that never jumps: deadlines, durations and ages.
    func monotonic() -> Double
    /// Returns at Unix time `t`, or throws when the task is cancelled.
    func sleep(until t: Double) async throws
}

public struct SystemClock: TimeSource {
    public init() {}
    public func now() -> Double { Posix.wallSeconds() }
    public func monotonic() -> Double { Posix.monotonicSeconds() }
    public func sleep(until t: Double) async throws {
        let delay = t - now()
        if delay > 0 { try await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
