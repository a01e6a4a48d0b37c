import CSystem
import Glibc
import Synchronization

/// One epoll loop on its own thread. It accepts from the shared listening
/// sockets (`EPOLLEXCLUSIVE`, so one loop wakes per connection), reads, parses,
/// dispatches to the router, and writes, all without blocking.
///
/// `@unchecked Sendable`: the mutable state below `// Loop-confined` is touched
/// only by `run()` on the loop's own thread; other threads reach the loop only
/// through `complete(_:)` and `stop()`, which go through `mailbox` (a `Mutex`) and
/// the eventfd.
final class EventLoop: @unchecked Sendable {
    struct Completion {
        var fd: Int32
        var connectionID: UInt64
        var response: HTTPResponse
        var head: Bool
        var keepAlive: Bool
    }

    struct Mailbox {
        var completions: [Completion] = []
        var stopping = false
    }

    let index: Int
    let epfd: Int32
    let wakeFD: Int32
    let listeners: [Int32]
    let router: Router
    let limits: ServerLimits
    let registry: ConnectionRegistry
    /// TLS on every connection when set (`tls_server_config`).
    let tls: TLSServer?
    let logger: Logger
    let mailbox = Mutex(Mailbox())
    let nextID: Atomic<UInt64>
    /// Reads the time for the head, idle and write timeouts.
    let clock: any TimeSource
    /// The clock's time at the last timeout sweep (a `Double`'s bits): a test
    /// that moved the clock waits until a sweep has seen the new time.
    let sweptAt = Atomic<UInt64>(0)
    let onExit: @Sendable () -> Void

    // Loop-confined.
    private var connections: [Int32: Connection] = [:]
    var scratch = [UInt8](repeating: 0, count: 65536)
    private var events = [cs_event](repeating: cs_event(), count: 256)
    private var lastSweep = 0.0
    /// Set once `stop()` has been seen: no new requests are kept alive.
    var stopping = false
    private var acceptPausedUntil = 0.0
    /// This loop's connections evicted for newer ones, closed once the current
    /// batch of events is handled (an event in it may still name their fd).
    private var evicted: [Connection] = []

    private static let wakeTag = UInt64.max
    private static let listenerTagBase = UInt64.max - 64

    init(index: Int, listeners: [Int32], router: Router, limits: ServerLimits,
         registry: ConnectionRegistry, tls: TLSServer? = nil, logger: Logger, clock: any TimeSource,
         onExit: @escaping @Sendable () -> Void) throws(Socket.SetupError) {
        self.index = index
        self.tls = tls
        self.clock = clock
        self.listeners = listeners
        self.router = router
        self.limits = limits
        self.registry = registry
        self.logger = logger
        self.onExit = onExit
        self.nextID = Atomic(UInt64(index) << 56)
        epfd = cs_epoll_create()
        wakeFD = cs_eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw Socket.SetupError(description: "epoll: \(Posix.errorText())") }
        cs_epoll_add(epfd, wakeFD, UInt32(CS_EPOLLIN), Self.wakeTag)
        for (i, fd) in listeners.enumerated() {
            cs_epoll_add(epfd, fd, UInt32(CS_EPOLLIN) | UInt32(CS_EPOLLEXCLUSIVE), Self.listenerTagBase + UInt64(i))
        }
    }

    // MARK: Cross-thread entry points

    /// Hands a finished `.later` response back to the loop.
    func complete(_ completion: Completion) {
        mailbox.withLock { $0.completions.append(completion) }
        wake()
    }

    /// Stops accepting, closes connections that are not mid-request, lets busy
    /// ones finish, then ends the loop.
    func stop() {
        mailbox.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: The loop

    func run() {
        while true {
            let n = events.withUnsafeMutableBufferPointer { cs_epoll_wait(epfd, $0.baseAddress, Int32($0.count), 250) }
            let now = clock.monotonic()
            if n < 0 && errno != EINTR {
                logger.error("epoll_wait failed", ["loop": index, "err": Posix.errorText()])
                break
            }
            for i in 0..<max(0, Int(n)) {
                let event = events[i]
                if event.data == Self.wakeTag {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    drainMailbox(now: now)
                } else if event.data >= Self.listenerTagBase {
                    acceptConnections(listeners[Int(event.data - Self.listenerTagBase)], now: now)
                } else {
                    handle(fd: Int32(truncatingIfNeeded: event.data), events: event.events, now: now)
                }
            }
            // Evicted here: close now rather than on the hang-up's event, so that a
            // connection flood does not keep hundreds of descriptors past the limit.
            for conn in evicted { closeConnection(conn) }
            evicted.removeAll(keepingCapacity: true)
            if now - lastSweep >= 0.5 {
                lastSweep = now
                sweep(now: now)
                sweptAt.store(now.bitPattern, ordering: .releasing)
            }
            if stopping && connections.isEmpty { break }
        }
        close(epfd)
        close(wakeFD)
        onExit()
    }

    private func drainMailbox(now: Double) {
        let (completions, stopRequested) = mailbox.withLock { m -> ([Completion], Bool) in
            defer { m.completions.removeAll() }
            return (m.completions, m.stopping)
        }
        for c in completions {
            guard let conn = connections[c.fd], conn.id == c.connectionID, conn.state == .awaitingHandler else { continue }
            respond(conn, c.response, head: c.head, keepAlive: c.keepAlive, now: now)
            flushAndContinue(conn, now: now)
        }
        if stopRequested && !stopping {
            stopping = true
            for fd in listeners { cs_epoll_del(epfd, fd) }
            for conn in Array(connections.values) where conn.state == .reading {
                closeConnection(conn)
            }
            for conn in connections.values { conn.closeAfterWrite = true }
        }
    }

    private func acceptConnections(_ listener: Int32, now: Double) {
        guard !stopping, now >= acceptPausedUntil else { return }
        for _ in 0..<64 {
            // Evicted connections not closed yet still hold descriptors: let the
            // loops close them (this one does at the end of its batch) first.
            if registry.lingering >= ConnectionRegistry.maxLingering { return }
            let fd = cs_accept(listener)
            if fd < 0 {
                if errno == EMFILE || errno == ENFILE {
                    // Out of descriptors: pause accepting briefly instead of spinning.
                    logger.warn("out of file descriptors; pausing accepts", ["loop": index])
                    acceptPausedUntil = now + 0.1
                }
                return
            }
            switch registry.admit(fd, now: now) {
            case .rejected:
                close(fd)
                continue
            case .admittedEvicting(let victim):
                if let conn = connections[victim] { evicted.append(conn) }
            case .admitted:
                break
            }
            Socket.setNoDelay(fd)
            let conn = Connection(fd: fd, id: nextID.wrappingAdd(1, ordering: .relaxed).newValue, now: now)
            if let tls {
                // The handshake is read like a request head: same deadline, same bounds.
                guard let session = TLSSession(context: tls.context(now: now), fd: fd) else {
                    registry.remove(fd)
                    close(fd)
                    continue
                }
                conn.tls = session
            }
            connections[fd] = conn
            setInterest(conn, UInt32(CS_EPOLLIN) | UInt32(CS_EPOLLRDHUP), add: true)
        }
    }

    private func handle(fd: Int32, events: UInt32, now: Double) {
        guard let conn = connections[fd] else { return }
        if events & UInt32(CS_EPOLLERR) != 0 {
            closeConnection(conn)
            return
        }
        if events & UInt32(CS_EPOLLOUT) != 0, conn.state == .writing {
            flushAndContinue(conn, now: now)
            return
        }
        if events & UInt32(CS_EPOLLOUT) != 0, conn.state == .reading, conn.tls?.wantsWrite == true {
            // A handshake flight the socket did not take at once.
            readTLS(conn, now: now)
            return
        }
        if events & (UInt32(CS_EPOLLIN) | UInt32(CS_EPOLLRDHUP) | UInt32(CS_EPOLLHUP)) != 0, conn.state == .reading {
            readAvailable(conn, now: now)
        } else if events & UInt32(CS_EPOLLHUP) != 0 {
            closeConnection(conn)
        }
    }

    private func readAvailable(_ conn: Connection, now: Double) {
        if conn.tls != nil {
            readTLS(conn, now: now)
            return
        }
        let n = scratch.withUnsafeMutableBytes { read(conn.fd, $0.baseAddress, $0.count) }
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
            closeConnection(conn)
            return
        }
        guard n > 0 else { return }
        conn.input.append(contentsOf: scratch[0..<n])
        received(conn, now: now)
    }

    /// New request bytes are in `conn.input`: parse and answer them.
    func received(_ conn: Connection, now: Double) {
        if conn.idle {
            // The first byte of a new request: the head deadline starts now.
            conn.idle = false
            conn.since = now
            registry.update(conn.fd, phase: .reading, now: now)
        }
        processInput(conn, now: now)
    }

    private func flushAndContinue(_ conn: Connection, now: Double) {
        flush(conn, now: now)
        if connections[conn.fd] === conn && conn.state == .reading { processInput(conn, now: now) }
    }

    /// Writes queued output. When all of it is out, the connection closes (if it
    /// must) or returns to reading; otherwise it waits for `EPOLLOUT`.
    func flush(_ conn: Connection, now: Double) {
        guard conn.state == .writing else { return }
        while !conn.output.isEmpty {
            let written = writeChunks(conn)
            if written < 0 {
                if errno == EAGAIN || errno == EINTR {
                    setInterest(conn, UInt32(CS_EPOLLOUT))
                    return
                }
                closeConnection(conn)
                return
            }
            conn.since = now
            var remaining = written
            while remaining > 0, let first = conn.output.first {
                let left = first.count - conn.outputOffset
                if remaining >= left {
                    remaining -= left
                    conn.output.removeFirst()
                    conn.outputOffset = 0
                } else {
                    conn.outputOffset += remaining
                    remaining = 0
                }
            }
        }
        if conn.closeAfterWrite {
            closeConnection(conn)
            return
        }
        conn.state = .reading
        conn.since = now
        conn.idle = conn.unconsumed.isEmpty
        registry.update(conn.fd, phase: conn.idle ? .idle : .reading, now: now)
        setInterest(conn, UInt32(CS_EPOLLIN) | UInt32(CS_EPOLLRDHUP))
    }

    /// One `writev` of the first two queued chunks (a response's head and body);
    /// returns bytes written or -1.
    private func writeChunks(_ conn: Connection) -> Int {
        let offset = conn.outputOffset
        if let session = conn.tls {
            return conn.output[0].withUnsafeBytes { session.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        }
        return conn.output[0].withUnsafeBytes { first in
            var vectors = [iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress! + offset),
                                 iov_len: first.count - offset), iovec()]
            guard conn.output.count > 1 else { return writev(conn.fd, vectors, 1) }
            return conn.output[1].withUnsafeBytes { second in
                vectors[1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress!), iov_len: second.count)
                return writev(conn.fd, vectors, 2)
            }
        }
    }

    func setInterest(_ conn: Connection, _ interest: UInt32, add: Bool = false) {
        guard add || conn.interest != interest else { return }
        conn.interest = interest
        if add {
            cs_epoll_add(epfd, conn.fd, interest, UInt64(conn.fd))
        } else {
            cs_epoll_mod(epfd, conn.fd, interest, UInt64(conn.fd))
        }
    }

    func closeConnection(_ conn: Connection) {
        // Only this connection: its number may already belong to a newer one.
        guard connections[conn.fd] === conn else { return }
        connections.removeValue(forKey: conn.fd)
        conn.state = .closing
        cs_epoll_del(epfd, conn.fd)
        registry.remove(conn.fd)
        // TLS ends (close_notify, then freed) while the descriptor is still
        // this connection's: a session released later, by whoever held it last,
        // would write into whatever connection gets the number next.
        conn.tls?.end()
        conn.tls = nil
        close(conn.fd)
    }

    /// Enforces the head, idle and write timeouts.
    private func sweep(now: Double) {
        for conn in Array(connections.values) {
            let age = now - conn.since
            switch conn.state {
            case .reading where conn.idle:
                if age > limits.idleTimeout { closeConnection(conn) }
            case .reading:
                if age > limits.headTimeout { closeConnection(conn) }
            case .writing:
                if age > limits.writeTimeout { closeConnection(conn) }
            case .awaitingHandler, .closing:
                break
            }
        }
    }
}
