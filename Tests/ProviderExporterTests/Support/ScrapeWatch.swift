import Foundation
import Glibc
@testable import ProviderExporter

/// Scrapes `/metrics` on a thread of its own, as Prometheus would (keep-alive,
/// gzip), every `every` seconds until stopped, and keeps each scrape's latency
/// and failures. The check that the exporter keeps answering while something
/// else is going on.
final class ScrapeWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [Double] = []
    private var failures: [String] = []
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    /// - Parameter check: called with every body; a non-nil answer is a failure.
    init(port: UInt16, path: String = "/metrics", every: Double = 0.02, headers: [String] = ["Accept-Encoding: gzip"],
         check: (@Sendable (RawClient.Response) -> String?)? = nil) {
        Foundation.Thread.detachNewThread { [self] in
            var client: RawClient? = nil
            while !isStopping {
                let start = Posix.monotonicSeconds()
                do {
                    if client == nil { client = try RawClient(port: port, timeout: 2) }
                    let response = try client!.get(path, headers: headers)
                    let elapsed = Posix.monotonicSeconds() - start
                    let problem = response.status == 200 ? check?(response) : "status \(response.status)"
                    lock.withLock {
                        latencies.append(elapsed)
                        if let problem { failures.append(problem) }
                    }
                } catch {
                    client = nil
                    lock.withLock { failures.append("\(error)") }
                }
                usleep(UInt32(every * 1_000_000))
            }
            done.signal()
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    /// Stops the thread (bounded) and returns what it saw.
    func stop() -> (latencies: [Double], failures: [String]) {
        lock.withLock { stopping = true }
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { (latencies, failures) }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}

/// Another process's user plus system CPU seconds, read as the exporter reads its own.
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let stat = Posix.readFile("/proc/\(pid)/stat", limit: 4096),
          let fields = ProcessSample.parseStat(stat) else { return .nan }
    return (fields.utime + fields.stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
