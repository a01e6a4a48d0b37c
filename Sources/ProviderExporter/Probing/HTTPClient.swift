import CCurl
import Glibc
import Synchronization

/// The probes' HTTP client: libcurl's multi interface on one dedicated thread
/// that sleeps in `curl_multi_poll` while transfers wait, so hanging probes
/// cost no CPU. Each `send` suspends its task until its transfer finishes.
public final class HTTPClient: Sendable {
    let userAgent: String
    private let engine: Engine

    public init(userAgent: String = "provider_exporter/\(BuildInfo.version)") {
        self.userAgent = userAgent
        engine = Engine()
        let engine = engine
        Thread.detach(name: "curl-multi") { engine.run() }
    }

    /// Ends the transfer thread; transfers in flight complete as cancelled.
    public func shutdown() { engine.stop() }

    /// Sends the request, following redirects as it asks, within its timeout.
    public func send(_ request: ClientRequest) async -> ClientResponse {
        let deadline = Posix.monotonicSeconds() + request.timeout
        var current = request
        var redirects = 0
        var firstStart: Double? = nil
        var hops: [HopTrace] = []
        while true {
            let remaining = deadline - Posix.monotonicSeconds()
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
        let transfer = Transfer(request: request, timeout: timeout, userAgent: userAgent)
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

/// Dates in certificate info as libcurl's OpenSSL backend prints them
/// (`Jun  1 12:00:00 2025 GMT`), or ISO-like (`2025-06-01 12:00:00 GMT`).
enum CertificateDate {
    static func parse(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        if parts.count == 5, parts[4] == "GMT", let month = RateLimitParser.months.firstIndex(of: parts[0].lowercased()),
           let day = Int(parts[1]), let year = Int(parts[3]) {
            let clock = parts[2].split(separator: ":").compactMap { Int($0) }
            guard clock.count == 3 else { return nil }
            return RateLimitParser.epoch(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        }
        if parts.count >= 2 {
            let date = parts[0].split(separator: "-").compactMap { Int($0) }
            let clock = parts[1].split(separator: ":").compactMap { Int($0) }
            guard date.count == 3, clock.count == 3 else { return nil }
            return RateLimitParser.epoch(year: date[0], month: date[1], day: date[2], hour: clock[0], minute: clock[1], second: clock[2])
        }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
