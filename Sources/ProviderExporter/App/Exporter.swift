import Synchronization

/// Wires the exporter together: collectors -> scrape cache -> routes -> server.
/// Later features add collectors and routes here; the server core stays as it is.
public final class Exporter: Sendable {
    public let options: Options
    let logger: Logger
    let readiness = Readiness()
    public let server: HTTPServer
    public let config: ConfigStore
    public let store: StateStore
    let client: HTTPClient
    let scheduler: Scheduler
    /// `--web.config.file`'s basic auth, when given.
    let auth: BasicAuth?

    /// The liveness and readiness paths: served without credentials even when
    /// `--web.config.file` asks for them (orchestrators call them without any).
    static let openPaths: Set<String> = ["/-/healthy", "/-/ready"]

    /// Paths the exporter serves besides the telemetry path (which may not be one of them).
    public static let fixedPaths = ["/", "/-/healthy", "/-/ready", "/-/reload", "/config", "/probe", "/api/v1/providers"]

    /// - Parameters:
    ///   - config: the loaded config and its reloads.
    ///   - extraCollectors: collectors served besides the exporter's own
    ///     (the scrape benchmark's synthetic series use this).
    public init(options: Options, config: ConfigStore, logger: Logger, extraCollectors: [any MetricsCollector] = [],
                clock: any TimeSource = SystemClock(), serverLoops: Int = min(4, Posix.processorCount())) throws {
        self.options = options
        self.logger = logger
        self.config = config
        let store = StateStore()
        let client = HTTPClient(clock: clock)
        self.store = store
        self.client = client
        self.scheduler = Scheduler(client: client, store: store, clock: clock, logger: logger)
        let collectors: [any MetricsCollector] = [BuildInfoCollector(), ProcessCollector(), config] + extraCollectors
        let cache = ScrapeCache(clock: clock) { Exposition(collectors.flatMap { $0.collect() }, state: store.view) }
        // The first scrape after a reload shows it (and its outcome).
        config.observeReloads { cache.invalidate() }

        var limits = ServerLimits()
        limits.maxConnections = Exporter.connectionCap(requested: options.maxConnections, logger: logger)
        let routes = [
            Exporter.metricsRoute(path: options.telemetryPath, cache: cache),
            Route("/") { [scheduler] request in
                .now(LandingPage.response(telemetryPath: options.telemetryPath, providers: store.snapshot.providers,
                                          recent: scheduler.runner.journal.recent, now: clock.now(),
                                          refresh: request.queryValue("refresh").flatMap(Int.init)))
            },
            Route("/api/v1/providers") { _ in
                .now(HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                  body: Array(ProviderAPI.json(store.snapshot.providers).utf8)))
            },
            Route("/probe") { [scheduler] request in
                Exporter.probe(request, config: config, store: store, runner: scheduler.runner,
                               minInterval: options.probeMinInterval.seconds)
            },
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
        ]
        // --web.config.file protects everything but the liveness and readiness
        // probes, which orchestrators call without credentials.
        let web = try options.webConfigFile.map { path throws(ConfigErrors) in (path, try WebConfig.load(file: path)) }
        let auth = web.flatMap { $0.1.users.isEmpty ? nil : BasicAuth($0.1) }
        self.auth = auth
        let tls = try web.flatMap { path, config throws(ConfigErrors) in
            try config.tls.map { c throws(ConfigErrors) in try TLSServer(c, configPath: path, logger: logger, now: clock.monotonic()) }
        }
        let router = Router(routes.map { route in
            guard let auth, !Exporter.openPaths.contains(route.path) else { return route }
            return auth.protect(route)
        })
        self.server = try HTTPServer(address: options.listenAddress, router: router, limits: limits,
                                     loopCount: serverLoops, clock: clock, tls: tls, logger: logger)
    }

    /// Starts probing and serving. `/-/ready` answers 200 once every check is scheduled.
    public func start() {
        let (store, scheduler, logger) = (self.store, self.scheduler, self.logger)
        config.subscribe { newConfig in
            // A reload can change a state (a check removed from a down provider).
            for t in store.apply(newConfig) { t.log(logger, cause: [("cause", "reload")]) }
            scheduler.apply(newConfig)
            Posix.returnFreeMemory()
        }
        let current = config.current
        store.apply(current)
        scheduler.apply(current)
        Posix.returnFreeMemory()
        for provider in current.providers { logProvider(provider) }
        server.start()
        readiness.markReady()
        logger.info("listening", ["address": options.listenAddress, "port": server.boundPort,
                                  "max_connections": server.limits.maxConnections, "tls": server.servesTLS])
    }

    /// Stops within `timeout` seconds; returns whether in-flight responses finished.
    @discardableResult
    public func stop(timeout: Double) -> Bool {
        scheduler.stop()
        let stopped = server.stop(timeout: timeout)
        client.shutdown()
        return stopped
    }

    /// One line per provider at start: what is monitored, and which variable
    /// would add API checks to a preset without a key.
    func logProvider(_ p: ProviderConfig) {
        let checks = p.checks.map(\.name).joined(separator: ",")
        var fields: [(String, String)] = [("provider", p.name), ("checks", checks.isEmpty ? "none" : checks),
                                          ("status_page", p.statusPage?.url ?? "none")]
        if p.apiKey == nil, p.checks.isEmpty, let preset = p.preset.flatMap(Preset.named), let variable = preset.keyVariables.first {
            fields.append(("enable_api_checks_with", variable))
        }
        logger.log(.info, "monitoring provider", pairs: fields)
    }

    /// Raises the soft descriptor limit to the hard one and caps connections so
    /// that probes keep room: README, "Command line".
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
