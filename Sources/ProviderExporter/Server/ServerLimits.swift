/// Limits and timeouts of README, "Command line" and "Endpoints".
public struct ServerLimits: Sendable {
    public var maxConnections = 1024
    public var maxHeadBytes = RequestParser.defaultMaxHeadBytes
    public var maxBodyBytes = 1 << 20
    /// A request head (and body) must arrive within this many seconds.
    public var headTimeout = 10.0
    /// Keep-alive connections close after this many idle seconds.
    public var idleTimeout = 60.0
    /// A client that takes no response bytes for this long is dropped.
    public var writeTimeout = 60.0

    public init() {}
}
