import Dispatch
import Glibc
import ProviderExporter

// flags -> services -> signals. Everything else lives in the library.

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
signal(SIGPIPE, SIG_IGN)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)

let exporter: Exporter
do {
    exporter = try Exporter(options: options, logger: logger)
} catch {
    logger.error("cannot start", ["err": "\(error)"])
    exit(1)
}
logger.info("starting provider_exporter", ["version": BuildInfo.version, "revision": BuildInfo.revision])
exporter.start()

// Signal handlers run on their own queue and must be @Sendable (a handler set up
// from top-level code crashes on the first signal otherwise).
let stopRequested = DispatchSemaphore(value: 0)
let signalQueue = DispatchQueue(label: "signals")
let signalSources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler { @Sendable in
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
