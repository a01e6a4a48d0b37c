import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ProviderExporter

/// The real server on a real socket, spoken to byte by byte.
@Suite(.serialized) struct ServerIntegrationTests {
    @Test func keepAliveReusesOneConnection() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            for _ in 0..<5 {
                let response = try client.get("/metrics")
                #expect(response.status == 200)
                #expect(response.headers["connection"] == nil)
                #expect(response.text.contains("provider_exporter_build_info{"))
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            try client.send("GET /-/healthy HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
                            + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\nHEAD /-/ready HTTP/1.1\r\nHost: t\r\n\r\n"
                            + "GET /-/ready HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let first = try client.readResponse()
            #expect(first.status == 200 && first.text == "Healthy\n")
            let second = try client.readResponse()
            #expect(second.status == 200 && second.text.contains("process_cpu_seconds_total"))
            #expect(try client.readResponse().status == 404)
            let head = try client.readResponse(head: true)
            #expect(head.status == 200 && head.headers["content-length"] == "6")
            let last = try client.readResponse()
            #expect(last.text == "Ready\n" && last.headers["connection"] == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func headHasLengthButNoBody() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            let head = try client.get("/metrics", method: "HEAD")
            #expect(head.status == 200)
            #expect(Int(head.headers["content-length"] ?? "0")! > 500)
            // If HEAD had sent a body, this response would be read from its bytes.
            let next = try client.get("/-/healthy")
            #expect(next.status == 200 && next.text == "Healthy\n")
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            #expect(try client.get("/nothing-here").status == 404)
            let post = try client.get("/metrics", method: "POST")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            #expect(try client.get("/metrics").status == 200)
        }
    }

    @Test func gzipWhenAcceptedAndOpenMetricsWhenPreferred() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            let gz = try client.get("/metrics", headers: ["Accept-Encoding: gzip"])
            #expect(gz.headers["content-encoding"] == "gzip")
            #expect(gz.headers["vary"] == "Accept-Encoding")
            #expect(Array(gz.body.prefix(2)) == [0x1f, 0x8b])
            let plain = String(decoding: try gunzip(gz.body), as: UTF8.self)
            #expect(plain.contains("# TYPE process_cpu_seconds_total counter"))

            let om = try client.get("/metrics", headers: [
                "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                "Accept-Encoding: gzip"])
            #expect(om.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            let omText = String(decoding: try gunzip(om.body), as: UTF8.self)
            #expect(omText.hasSuffix("# EOF\n"))
            #expect(omText.contains("# TYPE process_cpu_seconds counter"))

            let text = try client.get("/metrics")
            #expect(text.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(text.headers["content-encoding"] == nil)
        }
    }

    @Test func hostileRequestsGetTheirStatusAndAClose() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let port = exporter.server.boundPort
            let cases: [(String, Int)] = [
                ("GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n", 413),
                ("GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", 413),
                ("GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "a", count: 20_000), 431),
                ("GET /metrics HTTP/1.1\r\n\r\n", 400),
                ("GET /metrics HTTP/1.1\nHost: t\n\n", 400),
                ("POST /metrics HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
                ("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", 400), // a TLS hello
            ]
            for (request, status) in cases {
                let client = try RawClient(port: port)
                try client.send(request)
                let response = try client.readResponse()
                #expect(response.status == status, "\(request.prefix(40))")
                #expect(response.headers["connection"] == "close")
                #expect(client.waitForClose())
            }
        }
    }

    @Test func twoHundredParallelClients() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let port = exporter.server.boundPort
            let ok = Atomic200()
            DispatchQueue.concurrentPerform(iterations: 200) { _ in
                guard let client = try? RawClient(port: port),
                      let response = try? client.get("/metrics", headers: ["Accept-Encoding: gzip"]),
                      response.status == 200, response.body.count > 100 else { return }
                ok.increment()
            }
            #expect(ok.value == 200)
        }
    }

    @Test func idleFloodCannotLockOutAScrape() async throws {
        try await offPool {
            let exporter = try startExporter { $0.maxConnections = 1024 }
            defer { exporter.stop(timeout: 2) }
            let port = exporter.server.boundPort
            var flood: [RawClient] = []
            for i in 0..<1500 {
                let client = try RawClient(port: port)
                // Half send nothing; half send a partial head (slowloris).
                if i % 2 == 0 { try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n") }
                flood.append(client)
            }
            // Locked out, the scrape would wait for a head timeout (10 s) to free a slot.
            let scraper = try RawClient(port: port, timeout: 5)
            let response = try scraper.get("/metrics")
            #expect(response.status == 200)
            // The kernel may hand the server a few flood connections after the
            // scraper's; wait (bounded) until all 1,501 have been admitted.
            _ = waitUntil { exporter.server.connectionCounts.live + Int(exporter.server.connectionCounts.evictions) >= 1501 }
            let counts = exporter.server.connectionCounts
            #expect(counts.live <= 1024)
            #expect(counts.live + Int(counts.evictions) == 1501, "live \(counts.live) evictions \(counts.evictions)")
            withExtendedLifetime(flood) {}
        }
    }

    @Test func readyAndHealthy() async throws {
        try await offPool {
            let exporter = try startExporter()
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            #expect(try client.get("/-/healthy").text == "Healthy\n")
            #expect(try client.get("/-/ready").text == "Ready\n")
            let landing = try client.get("/")
            #expect(landing.headers["content-type"] == "text/html; charset=utf-8")
            #expect(landing.text.contains("href=\"/metrics\""))
        }
    }

    @Test func telemetryPathFlagMovesMetrics() async throws {
        try await offPool {
            let exporter = try startExporter { $0.telemetryPath = "/custom" }
            defer { exporter.stop(timeout: 2) }
            let client = try RawClient(port: exporter.server.boundPort)
            #expect(try client.get("/custom").status == 200)
            #expect(try client.get("/metrics").status == 404)
        }
    }
}

/// Timeouts, on a bare server whose clock the test moves: a connection must
/// be open after a sweep before its timeout and closed after one past it
/// (sweeps run at most every 0.5 s of the clock, so steps are that far apart).
@Suite struct ServerTimeoutTests {
    static func server(_ limits: ServerLimits, _ clock: ManualClock) throws -> HTTPServer {
        let router = Router([Route("/") { _ in .now(.text(200, "ok")) }])
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router,
                                    limits: limits, loopCount: 1, clock: clock, logger: quietLogger)
        server.start()
        return server
    }

    /// Moves the clock to `t` and waits (bounded) for a sweep at that time.
    static func sweep(_ server: HTTPServer, _ clock: ManualClock, to t: Double) -> Bool {
        clock.advance(to: t)
        return waitUntil { server.sweptThrough >= t }
    }

    @Test func slowHeadIsClosedAfterTheHeadTimeout() async throws {
        try await offPool {
            var limits = ServerLimits()
            limits.headTimeout = 1
            let clock = ManualClock(1000)
            let server = try Self.server(limits, clock)
            defer { server.stop(timeout: 2) }
            let client = try RawClient(port: server.boundPort, timeout: 5)
            try client.send("GET / HTTP/1.1\r\n")
            #expect(waitUntil { server.readingConnections == 1 })
            #expect(Self.sweep(server, clock, to: 1000.5))
            #expect(client.isOpen(), "closed before its head timeout")
            #expect(Self.sweep(server, clock, to: 1001.1))
            #expect(client.waitForClose())
        }
    }

    @Test func idleKeepAliveIsClosedAfterTheIdleTimeoutNotTheHeadTimeout() async throws {
        try await offPool {
            var limits = ServerLimits()
            limits.headTimeout = 0.5
            limits.idleTimeout = 2
            let clock = ManualClock(1000)
            let server = try Self.server(limits, clock)
            defer { server.stop(timeout: 2) }
            let client = try RawClient(port: server.boundPort, timeout: 5)
            #expect(try client.get("/").status == 200)
            #expect(Self.sweep(server, clock, to: 1001.5))
            #expect(client.isOpen(), "an idle keep-alive connection closed on the head timeout")
            #expect(Self.sweep(server, clock, to: 1002.1))
            #expect(client.waitForClose())
        }
    }

    @Test func asyncHandlerResponsesKeepPipelineOrder() async throws {
        try await offPool {
            let router = Router([
                Route("/slow") { _ in .later { try? await Task.sleep(for: .milliseconds(200)); return .text(200, "slow") } },
                Route("/fast") { _ in .now(.text(200, "fast")) },
            ])
            let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router,
                                        loopCount: 1, logger: quietLogger)
            server.start()
            defer { server.stop(timeout: 2) }
            let client = try RawClient(port: server.boundPort)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == "slow\n")
            #expect(try client.readResponse().text == "fast\n")
        }
    }

    @Test func stopFinishesInFlightResponses() async throws {
        try await offPool {
            let reached = DispatchSemaphore(value: 0)
            let router = Router([
                Route("/slow") { _ in
                    .later {
                        reached.signal()
                        try? await Task.sleep(for: .milliseconds(300))
                        return .text(200, "done")
                    }
                },
            ])
            let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router,
                                        loopCount: 2, logger: quietLogger)
            server.start()
            let client = try RawClient(port: server.boundPort)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(reached.wait(timeout: .now() + 30) == .success) // the request is in its handler
            let stopped = DispatchSemaphore(value: 0)
            let ended = Atomic<Bool>(false)
            DispatchQueue.global().async { ended.store(server.stop(timeout: 3), ordering: .releasing); stopped.signal() }
            let response = try client.readResponse()
            #expect(response.text == "done\n")
            #expect(response.headers["connection"] == "close")
            #expect(stopped.wait(timeout: .now() + 30) == .success)
            // Every loop ended within the timeout. (Connecting to the port again
            // proves nothing in a parallel run: another test's server may
            // already have been given the freed port.)
            let allEnded = ended.load(ordering: .acquiring)
            #expect(allEnded)
            #expect(server.connectionCounts.live == 0)
        }
    }
}

/// A counter for concurrentPerform.
final class Atomic200: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
