import CCurl
import Glibc
import Synchronization

/// The probes' HTTP client: libcurl's multi interface on one dedicated thread
/// that sleeps in `epoll_wait` while transfers wait, so hanging probes cost
/// no CPU. Each `send` suspends its task until its transfer finishes.
/// The thread is also a task executor (`executor`): probes that prefer it run
/// beside their transfers, with no hand-off to another thread.
public final class HTTPClient: Sendable {
    let userAgent: String
    /// Deadlines, durations and chunk arrivals (time to first token) read it.
    let clock: any TimeSource
    private let engine: Engine

    public init(userAgent: String = "provider_exporter/\(BuildInfo.version)", clock: any TimeSource = SystemClock()) {
        self.userAgent = userAgent
        self.clock = clock
        engine = Engine()
        let engine = engine
        Thread.detach(name: "probes") { engine.run() }
    }

    /// The probe thread, for `Task(executorPreference:)`.
    public var executor: any TaskExecutor { engine }

    /// Returns at Unix time `t` on `clock`, or throws when the task is
    /// cancelled: a timer of the probe thread when the clock is the system's
    /// (a probe task sleeps and wakes there with no other thread involved),
    /// the clock's own sleep otherwise (a test's clock).
    public func sleep(until t: Double, on clock: any TimeSource) async throws {
        guard clock is SystemClock else { return try await clock.sleep(until: t) }
        try await engine.sleep(untilMonotonic: clock.monotonic() + (t - clock.now()))
        try Task.checkCancellation()
    }

    /// CPU seconds the probe thread had used when it last went to sleep.
    var transferThreadCPUSeconds: Double { Double(bitPattern: engine.cpuSeconds.load(ordering: .acquiring)) }

    /// Ends the probe thread; transfers in flight complete as cancelled.
    public func shutdown() { engine.stop() }

    /// Sends the request, following redirects as it asks, within its timeout.
    public func send(_ request: ClientRequest) async -> ClientResponse {
        let deadline = clock.monotonic() + request.timeout
        var current = request
        var redirects = 0
        var firstStart: Double? = nil
        var hops: [HopTrace] = []
        while true {
            let remaining = deadline - clock.monotonic()
            if remaining <= 0 {
                var r = ClientResponse(error: .timeout)
                r.duration = request.timeout
                r.hops = hops
                return r
            }
            var response = await transfer(current, timeout: remaining)
            firstStart = firstStart ?? response.startedAt
            hops.append(HopTrace(current, userAgent: userAgent, response))
            response.hops = hops
            response.duration = max(0, response.finishedAt - (firstStart ?? response.startedAt))
            guard response.error == nil, (300...399).contains(response.status), response.status != 304,
                  let next = response.location else { return response }
            if current.maxRedirects == 0 { return response }
            redirects += 1
            if redirects > current.maxRedirects {
                response.error = .tooManyRedirects
                return response
            }
            // A redirect to another origin never carries the provider's secrets.
            if URLParts(next)?.origin != URLParts(current.url)?.origin { current.secretHeaders = [] }
            if response.status == 303 || ((response.status == 301 || response.status == 302) && current.method == "POST") {
                current.method = "GET"
                current.body = nil
            }
            current.url = next
        }
    }

    /// One hop.
    func transfer(_ request: ClientRequest, timeout: Double) async -> ClientResponse {
        let transfer = Transfer(request: request, timeout: timeout, userAgent: userAgent, clock: clock)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                engine.submit(transfer)
            }
        } onCancel: {
            engine.cancel(transfer)
        }
    }
}
