import Testing
@testable import ProviderExporter

@Suite struct RequestParserTests {
    static func parse(_ text: String) -> RequestParser.Outcome {
        RequestParser.parse(Array(text.utf8)[...])
    }

    static func status(_ text: String) -> Int? {
        switch parse(text) {
        case .failure(let status, _): status
        case .head: 200
        case .incomplete: nil
        }
    }

    @Test(arguments: [
        ("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200),
        ("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 200),                          // leading empty line is ignored
        ("GET / HTTP/1.0\r\n\r\n", 200),                                          // 1.0 needs no Host
        ("GET /metrics HTTP/1.1\r\nhost: x\r\nX-Empty:\r\n\r\n", 200),
        ("GET /metrics HTTP/1.1\r\n\r\n", 400),                                   // missing Host on 1.1
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),                    // two Hosts
        ("GET /metrics\r\nHost: x\r\n\r\n", 400),                                 // no version
        ("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400),                       // double space
        ("GET metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400),                         // not origin-form
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),                               // bad method token
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400),
        ("GET / FTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: x\n\n", 400),                                     // bare LF
        ("GET / HTTP/1.1\r\nHost: x\n\r\n", 400),                                 // bare LF inside
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),                              // space before colon
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),                    // obs-fold
        ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{01}b\r\n\r\n", 400),                // control character
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
        ("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),                            // bad escape
        ("GET /?a=%ff HTTP/1.1\r\nHost: x\r\n\r\n", 400),                         // not UTF-8
        ("GET / HTTP/1.1\r\nHost: x\r\n", nil),                                   // incomplete
        ("GET / HTTP/1.1\r\nHost: x\r\n\r", nil),
        ("", nil),
    ] as [(String, Int?)])
    func status(request: String, expected: Int?) {
        #expect(Self.status(request) == expected)
    }

    @Test func headOverLimitIs431CompleteOrNot() {
        let huge = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 17_000)
        #expect(Self.status(huge) == 431)
        #expect(Self.status(huge + "\r\n\r\n") == 431)
        let justUnder = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 16_000) + "\r\n\r\n"
        #expect(Self.status(justUnder) == 200)
    }

    @Test func parsesQueryHeadersAndLength() throws {
        let text = "GET /probe?provider=open%20ai&check=a+b&flag HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\nContent-Length: 3\r\n\r\nabcGET"
        guard case .head(let request, let length) = Self.parse(text) else {
            Issue.record("not parsed")
            return
        }
        #expect(request.method == "GET")
        #expect(request.path == "/probe")
        #expect(request.queryValue("provider") == "open ai")
        #expect(request.queryValue("check") == "a b")
        #expect(request.queryValue("flag") == "")
        #expect(request.header("accept") == "text/plain")
        #expect(request.contentLength == 3)
        #expect(length == text.utf8.count - 6)
        #expect(request.keepAlive)
    }

    @Test(arguments: [("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false),
                      ("HTTP/1.0", "", false), ("HTTP/1.0", "Connection: keep-alive\r\n", true),
                      ("HTTP/1.1", "Connection: Keep-Alive, Close\r\n", false)])
    func keepAlive(version: String, header: String, expected: Bool) {
        guard case .head(let request, _) = Self.parse("GET / \(version)\r\nHost: x\r\n\(header)\r\n") else {
            Issue.record("not parsed")
            return
        }
        #expect(request.keepAlive == expected)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededRandom(0x5EED_0B17)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) { bytes = Array("GET / HTTP/1.1\r\n".utf8) + bytes }
            _ = RequestParser.parse(bytes[...])
        }
    }
}

@Suite struct ConnectionRegistryTests {
    @Test func evictsOldestReadingThenLongestIdleNeverBusy() {
        let registry = ConnectionRegistry(limit: 3)
        // Descriptors that are not open sockets: shutdown(2) on them fails harmlessly.
        let base: Int32 = 100_000
        #expect(registry.admit(base + 1, now: 1) == .admitted)
        #expect(registry.admit(base + 2, now: 2) == .admitted)
        #expect(registry.admit(base + 3, now: 3) == .admitted)
        registry.update(base + 1, phase: .busy, now: 4)
        registry.update(base + 2, phase: .idle, now: 5)
        // base+3 is reading since 3: it goes first.
        #expect(registry.admit(base + 4, now: 6) == .admittedEvicting(base + 3))
        // base+4 reading since 6 is now the only reading one.
        #expect(registry.admit(base + 5, now: 7) == .admittedEvicting(base + 4))
        registry.update(base + 5, phase: .busy, now: 8)
        // Only base+2 is idle; base+1 and base+5 are busy.
        #expect(registry.admit(base + 6, now: 9) == .admittedEvicting(base + 2))
        registry.update(base + 6, phase: .busy, now: 10)
        // Everyone is busy: the new connection is refused.
        #expect(registry.admit(base + 7, now: 11) == .rejected)
        #expect(registry.counts.live == 3)
        registry.remove(base + 1)
        #expect(registry.admit(base + 7, now: 12) == .admitted)
    }

    /// A connection flood admits thousands a second at the limit: each must cost
    /// a heap operation, not a scan, evict in age order, and leave no pile of
    /// stale records behind however often connections change phase.
    @Test func floodAtTheLimitEvictsInAgeOrderWithBoundedBookkeeping() {
        let limit = 4096
        let registry = ConnectionRegistry(limit: limit)
        let base: Int32 = 300_000
        for i in 0..<Int32(limit) { _ = registry.admit(base + i, now: Double(i)) }
        // Every connection goes busy and idle again many times; the odd ones stay idle.
        for round in 0..<10 {
            for i in 0..<Int32(limit) {
                let t = Double(limit + round * limit) + Double(i)
                registry.update(base + i, phase: .busy, now: t)
                registry.update(base + i, phase: i % 2 == 0 ? .reading : .idle, now: t + 0.5)
            }
        }
        #expect(registry.candidateRecords <= 2 * limit + 64)
        // Reading ones go first, oldest first; then the idle ones, oldest first.
        var order: [Int32] = []
        var next = base + Int32(limit)
        let started = ContinuousClock.now
        for _ in 0..<limit {
            guard case .admittedEvicting(let victim) = registry.admit(next, now: 1e9 + Double(next)) else { break }
            registry.update(next, phase: .busy, now: 1e9 + Double(next))
            order.append(victim)
            next += 1
        }
        let elapsed = ContinuousClock.now - started
        let evens = (0..<Int32(limit)).filter { $0 % 2 == 0 }.map { base + $0 }
        let odds = (0..<Int32(limit)).filter { $0 % 2 == 1 }.map { base + $0 }
        #expect(order == evens + odds)
        // Now everyone is busy.
        #expect(registry.admit(next, now: 2e9) == .rejected)
        #expect(elapsed < .milliseconds(500), "\(elapsed) for \(limit) evictions")
    }

    @Test func heapPopsInOrder() {
        var generator = SeededRandom(0x5EED_4EA9)
        var heap = MinHeap<Int>()
        let values = (0..<1000).map { _ in Int.random(in: 0..<100, using: &generator) }
        for v in values { heap.push(v) }
        var popped: [Int] = []
        while let v = heap.pop() { popped.append(v) }
        #expect(popped == values.sorted())
    }

    @Test func oldestReadingBeatsOlderIdle() {
        let registry = ConnectionRegistry(limit: 2)
        _ = registry.admit(200_001, now: 1)
        _ = registry.admit(200_002, now: 5)
        registry.update(200_001, phase: .idle, now: 2)
        #expect(registry.admit(200_003, now: 6) == .admittedEvicting(200_002))
    }
}
