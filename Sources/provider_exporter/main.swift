import Dispatch
import Glibc
import Synchronization
import ProviderExporter

// signals -> flags -> config -> services. Everything else lives in the library.

// Before any thread exists, so that none can take these signals with their
// default action and none is lost while handlers come up (see Signals).
let handledSignals = [SIGTERM, SIGINT, SIGHUP]
Signals.block(handledSignals)

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Posix.writeStderr("provider_exporter: \(error)\n")
    exit(2)
}
if options.showHelp {
    print(Options.helpText)
    exit(0)
}
if options.showVersion {
    print(BuildInfo.versionLine)
    exit(0)
}

let logger = Logger(level: options.logLevel, format: options.logFormat)
let source: ConfigSource = options.configFile.map(ConfigSource.file) ?? .builtIn

if options.configCheck || options.configPrint {
    // Validate (and print) without probing or serving; config errors go to
    // stderr one per line, in the FILE:LINE:COL: PATH: problem form.
    do {
        let config = try ConfigStore(source: source, logger: Logger(level: .error, format: options.logFormat))
        if options.configPrint { print(ConfigPrinter.yaml(config.current), terminator: "") }
        if options.configCheck {
            for line in ConfigPrinter.summary(config.current) { print(line) }
            print("config OK: \(config.current.providers.count) provider(s)")
        }
        exit(0)
    } catch {
        Posix.writeStderr(error.description + "\n")
        exit(1)
    }
}

signal(SIGPIPE, SIG_IGN)

// A stop asked for during start-up takes effect once the server is up; a SIGHUP
// then has nothing to reload yet. (Signals were blocked at the top of main.)
let stopRequested = DispatchSemaphore(value: 0)
let running = Mutex<Exporter?>(nil)
Signals.handle(handledSignals) { number in
    if number == SIGHUP {
        guard let exporter = running.withLock({ $0 }) else { return }
        logger.info("received SIGHUP, reloading config")
        exporter.config.reload()
        return
    }
    logger.info("received signal, stopping", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"])
    stopRequested.signal()
}

logger.info("starting provider_exporter", ["version": BuildInfo.version, "revision": BuildInfo.revision])
let exporter: Exporter
do {
    let config = try ConfigStore(source: source, logger: logger)
    exporter = try Exporter(options: options, config: config, logger: logger)
} catch let errors as ConfigErrors {
    for error in errors.errors { logger.error("invalid config", ["err": error.description]) }
    exit(1)
} catch {
    logger.error("cannot start", ["err": "\(error)"])
    exit(1)
}
running.withLock { $0 = exporter }
exporter.start()
stopRequested.wait()
// README, "Endpoints": exit 0 within 5 s; in-flight responses get 4 of them.
let finished = exporter.stop(timeout: 4)
logger.info("stopped", ["clean": finished])
exit(0)
