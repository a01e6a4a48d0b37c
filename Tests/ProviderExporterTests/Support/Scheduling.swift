import Foundation
import Synchronization
@testable import ProviderExporter

/// The probes' HTTP client, shared by the tests that probe fakes.
let testClient = HTTPClient()

/// Waits (bounded: 30 s, for a machine whose cores every suite shares) until
/// `condition` holds; tests wait on events, never on sleep guesses.
func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = Posix.monotonicSeconds() + 30
    while Posix.monotonicSeconds() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// `eventually` for blocking code (inside `offPool`): polls every 10 ms,
/// bounded at 30 s.
func waitUntil(_ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Posix.monotonicSeconds() + 30
    while Posix.monotonicSeconds() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// Collects log lines for tests that read them.
final class LineSink: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var logger: Logger { logger(level: .info) }
    func logger(level: Logger.Level) -> Logger {
        Logger(level: level, format: .logfmt, sink: { line in self.lines.withLock { $0.append(line) } })
    }
}

/// A scheduler on a manual clock with its own store, logging into `log`.
final class ScheduledRun: Sendable {
    let store = StateStore()
    let clock: ManualClock
    let scheduler: Scheduler
    let log = LineSink()

    init(_ config: ExporterConfig, at start: Double = 1_000_000, logLevel: Logger.Level = .info) {
        clock = ManualClock(start)
        scheduler = Scheduler(client: testClient, store: store, clock: clock, logger: log.logger(level: logLevel))
        store.apply(config)
        scheduler.apply(config)
    }
}

/// A clock tests move by hand; sleepers wake when it passes their time.
final class ManualClock: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var time: Double
    private var sleepers: [(until: Double, id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    init(_ start: Double) { time = start }

    func now() -> Double { lock.lock(); defer { lock.unlock() }; return time }
    /// The same time: a manual clock never jumps unless a test moves it.
    func monotonic() -> Double { now() }

    /// Moves the clock on by `seconds`.
    func advance(by seconds: Double) { advance(to: now() + seconds) }

    /// Throws `CancellationError` at once when the sleeping task is cancelled.
    func sleep(until t: Double) async throws {
        let id = lock.withLock { () -> UInt64 in
            defer { nextID += 1 }
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                lock.lock()
                if t <= time || Task.isCancelled {
                    lock.unlock()
                    Task.isCancelled ? c.resume(throwing: CancellationError()) : c.resume()
                    return
                }
                sleepers.append((t, id, c))
                lock.unlock()
            }
        } onCancel: {
            lock.lock()
            let cancelled = sleepers.filter { $0.id == id }
            sleepers.removeAll { $0.id == id }
            lock.unlock()
            for s in cancelled { s.continuation.resume(throwing: CancellationError()) }
        }
    }

    var earliestSleeper: Double? { lock.lock(); defer { lock.unlock() }; return sleepers.map(\.until).min() }
    var sleeperCount: Int { lock.lock(); defer { lock.unlock() }; return sleepers.count }

    func advance(to t: Double) {
        lock.lock()
        time = max(time, t)
        let due = sleepers.filter { $0.until <= time }
        sleepers.removeAll { $0.until <= time }
        lock.unlock()
        for s in due { s.continuation.resume() }
    }
}
