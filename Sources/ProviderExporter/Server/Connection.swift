/// One client connection. Owned by a single event loop and touched only on its
/// thread; it holds no lock and is never shared.
final class Connection {
    enum State {
        /// Reading a request head or body.
        case reading
        /// A `.later` handler is running; nothing else is read or answered.
        case awaitingHandler
        /// Response bytes are queued and not yet all written.
        case writing
        /// Shutting down: nothing more is read.
        case closing
    }

    let fd: Int32
    /// Distinguishes this connection from a later one that reuses `fd`.
    let id: UInt64
    var state: State = .reading
    /// Received bytes not yet consumed; `inputStart` is the first unconsumed one.
    var input: [UInt8] = []
    var inputStart = 0
    /// Queued output: chunks and how much of the first has been written.
    var output: [[UInt8]] = []
    var outputOffset = 0
    /// Close once the output is written.
    var closeAfterWrite = false
    /// When the current phase began (reading a head, idle, or the last write progress).
    var since: Double
    /// Whether the connection has answered at least one request and holds no partial one.
    var idle = false
    /// The epoll interest currently registered.
    var interest: UInt32 = 0
    /// The TLS session when the listener serves TLS; nil for plain HTTP.
    var tls: TLSSession?

    init(fd: Int32, id: UInt64, now: Double) {
        self.fd = fd
        self.id = id
        self.since = now
    }

    var unconsumed: ArraySlice<UInt8> { input[inputStart...] }

    func consume(_ count: Int) {
        inputStart += count
        if inputStart == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 65536)
            inputStart = 0
        } else if inputStart > 65536 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }
}
