import Dispatch
import Glibc
import ProviderExporter

// flags -> config -> services -> signals. Everything else lives in the library.

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
    // stderr one per line, in SPEC's FILE:LINE:COL: PATH: problem form.
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
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGHUP, SIG_IGN)

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
exporter.start()

// Signal handlers run on their own queue and must be @Sendable (a handler set up
// from top-level code crashes on the first signal otherwise).
let stopRequested = DispatchSemaphore(value: 0)
let signalQueue = DispatchQueue(label: "signals")
let signalSources = [SIGTERM, SIGINT, SIGHUP].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler { @Sendable in
        if number == SIGHUP {
            logger.info("received SIGHUP, reloading config")
            exporter.config.reload()
            return
        }
        logger.info("received signal, stopping", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"])
        stopRequested.signal()
    }
    source.resume()
    return source
}

stopRequested.wait()
// SPEC section 3: exit 0 within 5 s; in-flight responses get 4 of them.
let finished = exporter.stop(timeout: 4)
logger.info("stopped", ["clean": finished])
exit(0)
