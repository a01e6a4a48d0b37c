/// Wall-clock time and sleeping: the one clock the exporter injects, into the
/// scheduler, the probe path and the checks (for the time a response was
/// read); tests drive it by hand. Pure functions take `now:` as a value.
public protocol WallClock: Sendable {
    /// Unix seconds.
    func now() -> Double
    /// Returns at Unix time `t`, or throws when the task is cancelled.
    func sleep(until t: Double) async throws
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Double { Posix.wallSeconds() }
    public func sleep(until t: Double) async throws {
        let delay = t - now()
        if delay > 0 { try await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
