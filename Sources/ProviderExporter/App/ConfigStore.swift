import Synchronization

/// Where the config comes from.
public enum ConfigSource: Sendable, Equatable {
    case file(String)
    case builtIn
}

/// The running config and its reloads (README, "Endpoints": SIGHUP and
/// `POST /-/reload`). A failed reload keeps the running config and sets
/// `provider_exporter_config_last_reload_successful` to 0.
public final class ConfigStore: Sendable, MetricsCollector {
    struct State {
        var config: ExporterConfig
        var lastReloadSuccessful = true
        var lastSuccess: Double
        var subscribers: [@Sendable (ExporterConfig) -> Void] = []
        var observers: [@Sendable () -> Void] = []
    }

    public let source: ConfigSource
    let environment: ConfigEnvironment
    let logger: Logger
    private let state: Mutex<State>
    /// Held through a whole reload: a SIGHUP and a POST at once apply in the
    /// order they read the file, never the older one last.
    private let reloading = Mutex<Void>(())

    /// Loads the config once; throws what `ConfigLoader` found.
    public init(source: ConfigSource, environment: ConfigEnvironment = .process, logger: Logger) throws(ConfigErrors) {
        self.source = source
        self.environment = environment
        self.logger = logger
        let config = try Self.read(source, environment)
        state = Mutex(State(config: config, lastSuccess: Posix.wallSeconds()))
        logger.info("config loaded", ["source": Self.describe(source), "providers": config.providers.count])
    }

    static func read(_ source: ConfigSource, _ environment: ConfigEnvironment) throws(ConfigErrors) -> ExporterConfig {
        switch source {
        case .file(let path): try ConfigLoader.load(file: path, environment: environment)
        case .builtIn: BuiltInConfig.make(environment: environment)
        }
    }

    static func describe(_ source: ConfigSource) -> String {
        switch source {
        case .file(let path): path
        case .builtIn: "built-in default"
        }
    }

    public var current: ExporterConfig { state.withLock { $0.config } }

    /// Calls `body` with every newly loaded config, on the reloading thread.
    public func subscribe(_ body: @escaping @Sendable (ExporterConfig) -> Void) {
        state.withLock { $0.subscribers.append(body) }
    }

    /// Calls `body` after every reload, successful or not, once the
    /// subscribers have applied it.
    public func observeReloads(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.observers.append(body) }
    }

    /// Re-reads the source (secrets too). On failure the running config stays.
    @discardableResult
    public func reload() -> Result<ExporterConfig, ConfigErrors> {
        reloading.withLock { _ in reloadSerially() }
    }

    private func reloadSerially() -> Result<ExporterConfig, ConfigErrors> {
        let result: Result<ExporterConfig, ConfigErrors>
        do {
            result = .success(try Self.read(source, environment))
        } catch {
            result = .failure(error)
        }
        let now = Posix.wallSeconds()
        let subscribers = state.withLock { s -> [@Sendable (ExporterConfig) -> Void] in
            switch result {
            case .success(let config):
                s.config = config
                s.lastReloadSuccessful = true
                s.lastSuccess = now
                return s.subscribers
            case .failure:
                s.lastReloadSuccessful = false
                return []
            }
        }
        switch result {
        case .success(let config):
            logger.info("config reloaded", ["source": Self.describe(source), "providers": config.providers.count])
            for subscriber in subscribers { subscriber(config) }
        case .failure(let errors):
            logger.error("config reload failed; keeping the running config",
                         ["source": Self.describe(source), "errors": errors.errors.count, "err": errors.description])
        }
        for observer in state.withLock({ $0.observers }) { observer() }
        return result
    }

    public func collect() -> [FamilySnapshot] {
        let (ok, at) = state.withLock { ($0.lastReloadSuccessful, $0.lastSuccess) }
        return [
            FamilySnapshot(Families.configLastReloadSuccessful, [Series(ok ? 1 : 0)]),
            FamilySnapshot(Families.configLastReloadSuccessTimestamp, [Series(at)]),
        ]
    }
}
