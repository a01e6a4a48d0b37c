import Dispatch
import Glibc
import ProviderExporter

// The exporter's own server, scrape cache and encoders, with about `--series N`
// synthetic series shaped like real probe metrics. Other flags are the
// exporter's. Used by Tests/bench/scrape.sh only.

struct SyntheticCollector: MetricsCollector {
    let checks: Int
    static let up = MetricFamily("bench_probe_up", .gauge, "Synthetic: 1 if the last probe succeeded.", labels: ["provider", "check"])
    static let probes = MetricFamily("bench_probes_total", .counter, "Synthetic: probes by result.", labels: ["provider", "check", "result"])
    static let duration = MetricFamily("bench_probe_duration_seconds", .histogram, "Synthetic: probe durations.", labels: ["provider", "check"])
    static let results = ["success", "timeout", "dns_error", "connect_error", "tls_error", "auth_error"]
    static let bounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    func collect() -> [FamilySnapshot] {
        var up: [Series] = [], probes: [Series] = [], durations: [Series] = []
        for i in 0..<checks {
            let labels = ["provider-\(i / 10)", "check-\(i % 10)"]
            up.append(Series(labels, Double(i % 2)))
            for (r, result) in Self.results.enumerated() { probes.append(Series(labels + [result], Double(i * 7 + r))) }
            var h = HistogramValue(upperBounds: Self.bounds)
            for k in 0..<20 { h.observe(Double((i + k) % 40) * 0.137) }
            durations.append(Series(labels, histogram: h))
        }
        return [FamilySnapshot(Self.up, up), FamilySnapshot(Self.probes, probes), FamilySnapshot(Self.duration, durations)]
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var series = 10_000
if let i = arguments.firstIndex(of: "--series"), i + 1 < arguments.count {
    series = Int(arguments[i + 1]) ?? series
    arguments.removeSubrange(i...(i + 1))
}
// Each synthetic check yields 1 + 6 + 12 = 19 sample lines.
let checks = max(1, series / 19)
let options = try Options.parse(arguments)
let logger = Logger(level: options.logLevel)
// Never the built-in default here: it fetches public status pages. One status
// page on a loopback port where nothing listens keeps the exporter's own
// families present without leaving the machine.
let benchConfig = "providers:\n  - name: local\n    status_page: {url: 'http://127.0.0.1:9', format: statuspage}\n"
let config = try ConfigStore(source: .file("bench.yml"),
                             environment: ConfigEnvironment(variable: { _ in nil }, readFile: { _ in Array(benchConfig.utf8) }),
                             logger: logger)
let exporter = try Exporter(options: options, config: config, logger: logger, extraCollectors: [SyntheticCollector(checks: checks)])
exporter.start()
signal(SIGTERM, SIG_IGN)
let stop = DispatchSemaphore(value: 0)
let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: DispatchQueue(label: "signals"))
source.setEventHandler { @Sendable in stop.signal() }
source.resume()
stop.wait()
exporter.stop(timeout: 2)
exit(0)
