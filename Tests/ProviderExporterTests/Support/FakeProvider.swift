import Foundation
import Glibc
@testable import ProviderExporter

/// A scriptable HTTP server on 127.0.0.1 for tests: per path, a status, headers
/// and body, a delay before the head, a trickled body, a hang, or a reset. It
/// records every request it receives. One thread per connection (tests only),
/// all ended by `stop()`.
final class FakeProvider: @unchecked Sendable {
    struct Script {
        var status = 200
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: [UInt8] = Array("{\"data\":[]}".utf8)
        /// Seconds to wait before sending anything.
        var delay = 0.0
        /// Seconds between the head and the body.
        var bodyDelay = 0.0
        /// Send the body one byte per this many seconds.
        var trickle: Double?
        /// Never answer (until stopped).
        var hang = false
        /// Answer only once the test signals it (or the fake stops).
        var gate: DispatchSemaphore?
        /// With an ETag: a request whose If-None-Match matches gets a 304.
        var etag: String?
        /// Close with a TCP reset: before the head, or after half the body.
        var resetBeforeHead = false
        var resetMidBody = false
        /// Headers computed when the request arrives (a `Retry-After` date relative to now).
        var headersAtRequest: (@Sendable () -> [(String, String)])?

        static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Script {
            Script(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body.utf8))
        }
    }

    struct Received {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        /// Monotonic seconds (the exporter's clock): request read, body started.
        var receivedAt = 0.0
        var bodySentAt: Double?
    }

    let fd: Int32
    let port: UInt16
    /// With a clock, `delay` and `bodyDelay` move it on instead of sleeping, so
    /// a client on the same clock measures them exactly.
    let clock: ManualClock?
    private let lock = NSLock()
    private var scripts: [String: Script] = [:]
    private var received: [Received] = []
    private var connections: [Int32] = []
    private var stopped = false
    private let stopSignal = DispatchSemaphore(value: 0)

    init(clock: ManualClock? = nil) throws {
        self.clock = clock
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else { throw RawClient.Failure(description: "fake provider: \(errno)") }
        var storage = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: storage.sin_port)
        let server = self
        Foundation.Thread.detachNewThread { server.acceptLoop() }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func set(_ path: String, _ script: Script) {
        lock.lock(); scripts[path] = script; lock.unlock()
    }

    var requests: [Received] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    func stop() {
        lock.lock()
        stopped = true
        // Under the lock: a handler closes its connection (and forgets it) only
        // while holding it, so every number here is still that connection. Shut
        // down after unlocking, a number closed meanwhile could already belong
        // to another test's socket (seen: a later test's transfer reset).
        for c in connections { shutdown(c, Int32(SHUT_RDWR)) }
        lock.unlock()
        // Wakes the accept loop, which closes the listening socket itself: closed
        // here, its number could be reused before the loop's next accept().
        shutdown(fd, Int32(SHUT_RDWR))
        for _ in 0..<1000 { stopSignal.signal() } // release hanging handlers
    }

    private func acceptLoop() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                // Out of descriptors or buffers for a moment: closing the
                // listening socket now would let stop() shut down whatever
                // socket reuses its number. Only a stopped fake gives up.
                let transient = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM
                lock.lock()
                let done = stopped
                lock.unlock()
                if transient && !done { usleep(10_000); continue }
                close(fd)
                return
            }
            lock.lock()
            if stopped { lock.unlock(); close(c); return }
            connections.append(c)
            lock.unlock()
            Foundation.Thread.detachNewThread { [self] in serve(c) }
        }
    }

    private func serve(_ c: Int32) {
        defer {
            // Forget it before closing: stop() must never shut down a reused number.
            lock.lock()
            connections.removeAll { $0 == c }
            close(c)
            lock.unlock()
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // Read one request head (and body).
            var headEnd: Int? = nil
            while headEnd == nil {
                if let r = buffer.firstRange(of: [13, 10, 13, 10]) { headEnd = r.lowerBound; break }
                let n = recv(c, &chunk, chunk.count, 0)
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
            let requestLine = head[0].split(separator: " ")
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < headEnd! + 4 + length {
                let n = recv(c, &chunk, chunk.count, 0)
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let body = Array(buffer[(headEnd! + 4)..<(headEnd! + 4 + length)])
            buffer.removeFirst(headEnd! + 4 + length)
            let method = requestLine.count > 0 ? String(requestLine[0]) : ""
            let target = requestLine.count > 1 ? String(requestLine[1]) : ""
            let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
            lock.lock()
            received.append(Received(method: method, path: path, headers: headers, body: body, receivedAt: clock?.monotonic() ?? Posix.monotonicSeconds()))
            let index = received.count - 1
            // A script for the exact target (with its query) wins over the path's.
            let script = scripts[target] ?? scripts[path] ?? Script(status: 404, body: Array("{\"error\":\"no script\"}".utf8))
            lock.unlock()
            if let etag = script.etag, headers["if-none-match"] == etag {
                guard write(c, Array("HTTP/1.1 304 Not Modified\r\nETag: \(etag)\r\nContent-Length: 0\r\n\r\n".utf8)) else { return }
                continue
            }
            var answer = script
            if let etag = script.etag { answer.headers.append(("ETag", etag)) }
            if !respond(c, answer, head: method == "HEAD", index: index) { return }
        }
    }

    /// Returns whether the connection can serve another request.
    private func respond(_ c: Int32, _ s: Script, head: Bool, index: Int) -> Bool {
        if s.hang {
            _ = stopSignal.wait(timeout: .now() + 60)
            return false
        }
        if let gate = s.gate, gate.wait(timeout: .now() + 60) == .timedOut { return false }
        wait(s.delay)
        if s.resetBeforeHead { reset(c); return false }
        var text = "HTTP/1.1 \(s.status) X\r\n"
        for (k, v) in s.headers + (s.headersAtRequest?() ?? []) { text += "\(k): \(v)\r\n" }
        text += "Content-Length: \(s.body.count)\r\n\r\n"
        guard write(c, Array(text.utf8)) else { return false }
        if head { return true }
        wait(s.bodyDelay)
        lock.lock(); received[index].bodySentAt = clock?.monotonic() ?? Posix.monotonicSeconds(); lock.unlock()
        if s.resetMidBody {
            _ = write(c, Array(s.body.prefix(s.body.count / 2)))
            reset(c)
            return false
        }
        if let interval = s.trickle {
            for byte in s.body {
                lock.lock(); let done = stopped; lock.unlock()
                if done || !write(c, [byte]) { return false }
                usleep(UInt32(interval * 1_000_000))
            }
            return true
        }
        return write(c, s.body)
    }

    private func wait(_ seconds: Double) {
        guard seconds > 0 else { return }
        if let clock { clock.advance(by: seconds) } else { usleep(UInt32(seconds * 1_000_000)) }
    }

    private func write(_ c: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(c, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func reset(_ c: Int32) {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(c, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }
}
