import Synchronization

/// Wires the exporter together: collectors -> scrape cache -> routes -> server.
/// Later features add collectors and routes here; the server core stays as it is.
public final class Exporter: Sendable {
    public let options: Options
    let logger: Logger
    let cache: ScrapeCache
    let readiness = Readiness()
    public let server: HTTPServer
    public let config: ConfigStore

    /// Paths the exporter serves besides the telemetry path.
    public static let fixedPaths = ["/", "/-/healthy", "/-/ready", "/-/reload", "/config"]

    /// - Parameters:
    ///   - config: the loaded config and its reloads.
    ///   - extraCollectors: collectors served besides the exporter's own
    ///     (the scrape benchmark's synthetic series use this).
    public init(options: Options, config: ConfigStore, logger: Logger, extraCollectors: [any MetricsCollector] = [],
                serverLoops: Int = min(4, Posix.processorCount())) throws {
        self.options = options
        self.logger = logger
        self.config = config
        let collectors: [any MetricsCollector] = [BuildInfoCollector(), ProcessCollector(), config] + extraCollectors
        let cache = ScrapeCache { collectors.flatMap { $0.collect() } }
        self.cache = cache

        var limits = ServerLimits()
        limits.maxConnections = Exporter.connectionCap(requested: options.maxConnections, logger: logger)
        let router = Router([
            Exporter.metricsRoute(path: options.telemetryPath, cache: cache),
            Route("/") { _ in .now(LandingPage.response(telemetryPath: options.telemetryPath)) },
            Route("/-/healthy") { _ in .now(.text(200, "Healthy")) },
            Route("/-/ready") { [readiness] _ in
                .now(readiness.isReady ? .text(200, "Ready") : .text(503, "Not Ready"))
            },
            Route("/config") { _ in
                .now(HTTPResponse(status: 200, headers: [("Content-Type", "text/yaml; charset=utf-8")],
                                  body: Array(ConfigPrinter.yaml(config.current).utf8)))
            },
            Route("/-/reload", methods: ["POST"]) { _ in
                // Reading files and the environment is quick, but off the event loop all the same.
                .later {
                    switch config.reload() {
                    case .success: .text(200, "config reloaded")
                    case .failure(let errors): .text(500, "config reload failed; the running config is kept:\n" + errors.description)
                    }
                }
            },
        ])
        self.server = try HTTPServer(address: options.listenAddress, router: router, limits: limits,
                                     loopCount: serverLoops, logger: logger)
    }

    /// Starts serving. `/-/ready` answers 200 from here on.
    public func start() {
        server.start()
        readiness.markReady()
        logger.info("listening", ["address": options.listenAddress, "port": server.boundPort,
                                  "max_connections": server.limits.maxConnections])
    }

    /// Stops within `timeout` seconds; returns whether in-flight responses finished.
    @discardableResult
    public func stop(timeout: Double) -> Bool {
        server.stop(timeout: timeout)
    }

    /// Raises the soft descriptor limit to the hard one and caps connections so
    /// that probes keep room: SPEC section 2.
    static func connectionCap(requested: Int, logger: Logger) -> Int {
        let limit = Posix.raiseFileLimit()
        let reserved: UInt64 = 128 // probes, status pages, logs, /proc reads
        let room = limit > reserved ? Int(min(limit - reserved, UInt64(Int.max))) : 1
        guard requested > room else { return requested }
        logger.warn("lowering --web.max-connections to leave descriptors for probes",
                    ["requested": requested, "max_connections": room, "nofile_limit": limit])
        return room
    }

    static func metricsRoute(path: String, cache: ScrapeCache) -> Route {
        Route(path) { request in
            let variant = ScrapeCache.Variant(format: .negotiate(accept: request.header("accept")),
                                              gzip: acceptsGzip(request.header("accept-encoding")))
            if let body = cache.cached(variant) { return .now(metricsResponse(body, variant)) }
            return .later { metricsResponse(await cache.render(variant), variant) }
        }
    }

    static func metricsResponse(_ body: ScrapeCache.Body, _ variant: ScrapeCache.Variant) -> HTTPResponse {
        var headers = [("Content-Type", variant.format.contentType), ("Vary", "Accept-Encoding")]
        if body.gzipped { headers.append(("Content-Encoding", "gzip")) }
        return HTTPResponse(status: 200, headers: headers, body: body.bytes)
    }
}

/// Whether `/-/ready` answers 200: set once everything is loaded and scheduled.
final class Readiness: Sendable {
    private let flag = Atomic<Bool>(false)
    var isReady: Bool { flag.load(ordering: .acquiring) }
    func markReady() { flag.store(true, ordering: .releasing) }
}
