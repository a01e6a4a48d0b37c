import CSystem
import Dispatch
import Glibc
import Synchronization

/// The HTTP/1.1 server: a few epoll event loops (one per core, at most four)
/// sharing the listening socket. It knows nothing about providers or metrics: it
/// serves a `Router`.
public final class HTTPServer: Sendable {
    public let address: ListenAddress
    /// The port actually bound; differs from `address.port` when that was 0.
    public let boundPort: UInt16
    public let limits: ServerLimits
    /// Whether every connection is TLS (`tls_server_config`).
    public let servesTLS: Bool
    private let listener: Int32
    private let loops: [EventLoop]
    private let registry: ConnectionRegistry
    private let exited = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// Binds the listening socket; `start()` begins serving.
    public init(address: ListenAddress, router: Router, limits: ServerLimits = ServerLimits(),
                loopCount: Int = min(4, Posix.processorCount()), clock: any TimeSource = SystemClock(),
                tls: TLSServer? = nil, logger: Logger) throws {
        let (fd, port) = try Socket.listen(on: address)
        self.address = address
        self.boundPort = port
        self.limits = limits
        self.servesTLS = tls != nil
        self.listener = fd
        self.registry = ConnectionRegistry(limit: limits.maxConnections)
        var loops: [EventLoop] = []
        let exited = self.exited
        do {
            for i in 0..<max(1, loopCount) {
                loops.append(try EventLoop(index: i, listeners: [fd], router: router, limits: limits,
                                           registry: registry, tls: tls, logger: logger, clock: clock,
                                           onExit: { exited.signal() }))
            }
        } catch {
            close(fd)
            throw error
        }
        self.loops = loops
    }

    /// Starts one thread per event loop and returns at once.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for loop in loops {
            Thread.detach(name: "http-loop-\(loop.index)") { loop.run() }
        }
    }

    /// Stops accepting, closes connections that are not mid-request, and waits up
    /// to `timeout` seconds for in-flight responses. Returns whether every loop
    /// ended in time.
    @discardableResult
    public func stop(timeout: Double) -> Bool {
        guard started.load(ordering: .acquiring) else {
            close(listener)
            return true
        }
        for loop in loops { loop.stop() }
        let deadline = DispatchTime.now() + timeout
        var allExited = true
        for _ in loops where exited.wait(timeout: deadline) == .timedOut { allExited = false }
        close(listener)
        return allExited
    }

    /// The clock's time every loop's timeout sweep has reached.
    var sweptThrough: Double { loops.map { Double(bitPattern: $0.sweptAt.load(ordering: .acquiring)) }.min() ?? 0 }

    /// Connections with a request partly read.
    var readingConnections: Int { registry.reading }

    /// Open connections (not counting evicted ones still closing) and evictions so far.
    public var connectionCounts: (live: Int, evictions: UInt64) { registry.counts }
}
