/// One outgoing request of a probe.
public struct ClientRequest: Sendable {
    public var url: String
    public var method = "GET"
    public var headers: [(name: String, value: String)] = []
    /// Sent only to the origin of `url`, never after a redirect to another one.
    public var secretHeaders: [(name: String, value: Secret)] = []
    public var body: [UInt8]?
    /// The whole exchange, redirects included, must finish within this many seconds.
    public var timeout: Double
    /// Redirects to follow; 0 never follows (API checks). A redirect past the
    /// limit is `tooManyRedirects`.
    public var maxRedirects = 0
    public var reuseConnections = false
    public var tls: TLSConfig?
    /// Bodies beyond this are cut off and flagged `bodyTooLarge`.
    public var maxBodyBytes = 4 << 20
    /// Record when each body chunk arrived (streamed chat probes).
    public var recordChunkArrivals = false

    public init(url: String, timeout: Double) {
        self.url = url
        self.timeout = timeout
    }
}

/// How a transfer failed before a usable response arrived.
public enum TransportError: Sendable, Equatable, CustomStringConvertible {
    case timeout
    case dns(String)
    case connect(String)
    case tls(String)
    case tooManyRedirects
    case cancelled
    case other(String)

    public var description: String {
        switch self {
        case .timeout: "timeout"
        case .dns(let m): "name resolution failed: \(m)"
        case .connect(let m): "connection failed: \(m)"
        case .tls(let m): "TLS failed: \(m)"
        case .tooManyRedirects: "too many redirects"
        case .cancelled: "cancelled"
        case .other(let m): m
        }
    }
}

/// Phase durations of the last hop, in seconds (`provider_probe_phase_seconds`).
public struct PhaseTimings: Sendable, Equatable {
    public var resolve = 0.0, connect = 0.0, tls = 0.0, processing = 0.0, transfer = 0.0
}

/// What came back. `status` is 0 when no response arrived.
public struct ClientResponse: Sendable {
    public var status = 0
    /// Header fields of the final response, in order; names as sent.
    public var headers: [(name: String, value: String)] = []
    public var body: [UInt8] = []
    public var bodyTooLarge = false
    public var error: TransportError?
    /// Wall-clock seconds from the first byte sent to the end, redirects included.
    public var duration = 0.0
    public var phases: PhaseTimings?
    /// Unix time the earliest certificate of the peer's chain expires (HTTPS).
    public var certificateExpiry: Double?
    /// Every hop of the exchange, redirects included, for the debug report.
    public var hops: [HopTrace] = []
    /// The `Location` of a redirect that was not followed (API checks), for the
    /// error text.
    public var location: String?
    /// Monotonic seconds when the probe thread started and finished this hop:
    /// timing is taken there, not where the caller resumes, so a busy task pool
    /// never inflates a measured latency.
    var startedAt = 0.0
    var finishedAt = 0.0
    /// With `recordChunkArrivals`: the body length after each chunk, and when
    /// (monotonic seconds, on the probe thread) it arrived.
    var chunkArrivals: [(end: Int, at: Double)] = []

    /// Seconds from the start of this hop until byte `offset` of the body arrived.
    func arrivalDelay(ofByte offset: Int) -> Double? {
        chunkArrivals.first { $0.end > offset }.map { $0.at - startedAt }
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}
