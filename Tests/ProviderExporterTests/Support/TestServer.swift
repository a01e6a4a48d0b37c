import Dispatch
import ProviderExporter

/// A logger that drops everything, for tests that do not look at logs.
let quietLogger = Logger(level: .error, format: .logfmt, sink: { _ in })

/// Starts a real exporter on 127.0.0.1 and an ephemeral port.
func startExporter(_ configure: (inout Options) -> Void = { _ in }) throws -> Exporter {
    var options = Options()
    options.listenAddress = ListenAddress(host: "127.0.0.1", port: 0)
    configure(&options)
    let config = try ConfigStore(source: .file("test.yml"), environment: loopbackConfigEnvironment, logger: quietLogger)
    let exporter = try Exporter(options: options, config: config, logger: quietLogger)
    exporter.start()
    return exporter
}

/// Runs blocking socket code off the cooperative thread pool. Tests that block
/// in `recv` on the pool would starve the server's own async handlers, which
/// need the pool (it has as many threads as cores: two here). The body runs in
/// the calling task, on a thread of `BlockingExecutor`, so its `#expect`
/// failures are credited to the test that made them (a plain dispatch to
/// another thread loses the task and reports them under an unknown test).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(BlockingExecutor.shared) {
        try await BlockingExecutor.run(body)
    }
}

/// A task executor whose jobs run on dispatch threads of their own, outside
/// the cooperative pool, so that they may block.
final class BlockingExecutor: TaskExecutor {
    static let shared = BlockingExecutor()
    // A concurrent queue: tests that run at once each get a thread.
    private let queue = DispatchQueue(label: "offPool", attributes: .concurrent)
    static var sharedQueueForTests: DispatchQueue { shared.queue }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Calls `body` from an async function, which runs on the preferred
    /// executor (this one) rather than on the caller's.
    nonisolated static func run<T: Sendable>(_ body: @Sendable () throws -> T) async throws -> T {
        try body()
    }
}

/// No variables and no files: the built-in default without keys.
let emptyEnvironment = ConfigEnvironment(variable: { _ in nil }, readFile: { _ in nil })

/// A config whose only provider is a status page on a loopback port where
/// nothing listens: tests never reach a real host (the built-in default would).
let loopbackConfig = "providers:\n  - name: local\n    status_page: {url: 'http://127.0.0.1:9', format: statuspage}\n"
let loopbackConfigEnvironment = ConfigEnvironment(variable: { _ in nil }, readFile: { _ in Array(loopbackConfig.utf8) })
