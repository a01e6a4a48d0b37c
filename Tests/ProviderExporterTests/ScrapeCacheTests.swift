import Synchronization
import Testing
@testable import ProviderExporter

@Suite struct ScrapeCacheTests {
    final class Counter: Sendable {
        let collections = Atomic<Int>(0)
    }

    static let family = MetricFamily("test_value", .gauge, "A value.")

    static func makeCache(_ counter: Counter, _ clock: ManualClock) -> ScrapeCache {
        ScrapeCache(maxAge: 1, clock: clock) {
            let n = counter.collections.wrappingAdd(1, ordering: .relaxed).newValue
            return [FamilySnapshot(Self.family, [Series(Double(n))])]
        }
    }

    @Test func concurrentScrapesShareOneCollection() async {
        let counter = Counter(), clock = ManualClock(100)
        let cache = Self.makeCache(counter, clock)
        let variant = ScrapeCache.Variant(format: .text, gzip: true)
        #expect(cache.cached(variant) == nil)
        let bodies = await withTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<50 { group.addTask { await cache.render(variant).bytes } }
            return await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(counter.collections.load(ordering: .relaxed) == 1)
        #expect(Set(bodies).count == 1)
        #expect(cache.cached(variant)?.gzipped == true)
    }

    @Test func formatsOfOneWindowShareTheCollectionAndExpire() async {
        let counter = Counter(), clock = ManualClock(100)
        let cache = Self.makeCache(counter, clock)
        let text = await cache.render(.init(format: .text, gzip: false))
        let om = await cache.render(.init(format: .openMetrics, gzip: false))
        #expect(counter.collections.load(ordering: .relaxed) == 1)
        #expect(String(decoding: text.bytes, as: UTF8.self).contains("test_value 1\n"))
        #expect(String(decoding: om.bytes, as: UTF8.self).contains("test_value 1.0\n"))
        clock.advance(by: 0.9)
        #expect(cache.cached(.init(format: .text, gzip: false)) != nil)
        clock.advance(by: 0.2)
        #expect(cache.cached(.init(format: .text, gzip: false)) == nil)
        let later = await cache.render(.init(format: .text, gzip: false))
        #expect(counter.collections.load(ordering: .relaxed) == 2)
        #expect(String(decoding: later.bytes, as: UTF8.self).contains("test_value 2\n"))
    }

    /// After a reload the next scrape collects afresh, even within the second,
    /// and a collection that began before the invalidation is not served after it.
    @Test func invalidateDropsTheWindowAndARenderUnderWay() async {
        let counter = Counter(), clock = ManualClock(100)
        let variant = ScrapeCache.Variant(format: .text, gzip: false)
        let cache = Self.makeCache(counter, clock)
        _ = await cache.render(variant)
        cache.invalidate()
        #expect(cache.cached(variant) == nil)
        #expect(String(decoding: await cache.render(variant).bytes, as: UTF8.self).contains("test_value 2\n"))
        #expect(cache.cached(variant) != nil)

        let racing = Box()
        let slow = ScrapeCache(maxAge: 1, clock: clock) {
            // The invalidation lands while this collection runs.
            racing.cache?.invalidate()
            return [FamilySnapshot(Self.family, [Series(1)])]
        }
        racing.cache = slow
        _ = await slow.render(variant)
        #expect(slow.cached(variant) == nil)
    }

    final class Box: @unchecked Sendable { var cache: ScrapeCache? }
}

@Suite struct OptionsTests {
    @Test func defaults() throws {
        let o = try Options.parse([])
        #expect(o.listenAddress == ListenAddress(host: nil, port: 9641))
        #expect(o.telemetryPath == "/metrics" && o.maxConnections == 1024)
        #expect(o.logLevel == .info && o.logFormat == .logfmt)
    }

    @Test func bothValueForms() throws {
        let o = try Options.parse(["--web.listen-address=[::1]:9000", "--web.max-connections", "7",
                                   "--log.level=debug", "--log.format", "json", "--web.telemetry-path=/m"])
        #expect(o.listenAddress == ListenAddress(host: "::1", port: 9000))
        #expect(o.maxConnections == 7 && o.logLevel == .debug && o.logFormat == .json && o.telemetryPath == "/m")
    }

    @Test(arguments: [
        (["--web.listen-adress=:1"], "unknown flag --web.listen-adress (did you mean --web.listen-address?)"),
        (["--bogus"], "unknown flag --bogus"),
        (["--web.max-connections=0"], "--web.max-connections: '0' is not a number from 1 to 1000000"),
        (["--web.max-connections"], "--web.max-connections needs a value"),
        (["--log.level=verbose"], "--log.level: 'verbose' is not one of debug, info, warn, error"),
        (["--log.format=xml"], "--log.format: 'xml' is not one of logfmt, json"),
        (["--web.listen-address=::1:80"], "--web.listen-address: '::1:80' is not host:port, :port or [v6]:port"),
        (["--web.listen-address=host"], "--web.listen-address: 'host' is not host:port, :port or [v6]:port"),
        (["--web.telemetry-path=metrics"], "--web.telemetry-path: 'metrics' must be a path starting with / that no other endpoint uses"),
        (["--help=maybe"], "--help: 'maybe' is not true or false"),
        (["positional"], "unexpected argument 'positional' (flags look like --name=value)"),
    ])
    func badFlagsNameTheFlag(arguments: [String], message: String) {
        #expect(throws: Options.UsageError.self) { try Options.parse(arguments) }
        do {
            _ = try Options.parse(arguments)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func booleanForms() throws {
        #expect(try Options.parse(["--help"]).showHelp)
        #expect(try Options.parse(["-h"]).showHelp)
        #expect(try !Options.parse(["--help", "--no-help"]).showHelp)
        #expect(try Options.parse(["--version=true"]).showVersion)
    }

    @Test func helpListsEveryFlag() {
        for flag in Options.flags { #expect(Options.helpText.contains("--\(flag.name)")) }
    }
}

@Suite struct LoggerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    @Test func logfmtQuotesWhatNeedsIt() {
        let sink = Lines()
        let logger = Logger(level: .info, format: .logfmt, sink: { line in sink.lines.withLock { $0.append(line) } })
        logger.debug("hidden")
        logger.info("probe failed", ["provider": "openai", "err": "a \"quoted\" = thing\n", "n": 3])
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("ts="))
        #expect(lines[0].hasSuffix(#"level=info msg="probe failed" provider=openai err="a \"quoted\" = thing\n" n=3"#))
    }

    @Test func jsonIsOneObjectPerLine() throws {
        let sink = Lines()
        let logger = Logger(level: .debug, format: .json, sink: { line in sink.lines.withLock { $0.append(line) } })
        logger.warn("x", ["k": "v\u{1}"])
        let line = sink.lines.withLock { $0[0] }
        #expect(line.hasPrefix("{\"ts\":\""))
        #expect(line.hasSuffix(#""level":"warn","msg":"x","k":"v\u0001"}"#))
    }

    @Test func timestampsAreRFC3339UTC() {
        #expect(Dates.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Dates.format(1795447292.25) == "2026-11-23T15:21:32.250Z")
    }
}

@Suite struct ProcessCollectorTests {
    @Test func parsesStatWithSpacesAndParensInTheName() throws {
        // Fields 3.. after "(name)"; utime=14 stime=15 threads=20 start=22 vsize=23 rss=24.
        let fields = (3...30).map { n -> String in
            switch n {
            case 3: "S"
            case 14: "250"
            case 15: "50"
            case 20: "6"
            case 22: "1000"
            case 23: "328069120"
            case 24: "2870"
            default: "0"
            }
        }
        let stat = "4242 (odd) name (x)) " + fields.joined(separator: " ") + "\n"
        let parsed = try #require(ProcessSample.parseStat(Array(stat.utf8)))
        #expect(parsed.utime == 250 && parsed.stime == 50 && parsed.threads == 6)
        #expect(parsed.startTicks == 1000 && parsed.vsize == 328069120 && parsed.rssPages == 2870)
        #expect(ProcessSample.parseStat(Array("garbage".utf8)) == nil)
        #expect(ProcessSample.parseBootTime(Array("cpu 1 2\nbtime 1700000000\n".utf8)) == 1700000000)
    }

    @Test func liveValuesAreSane() throws {
        let families = ProcessCollector().collect()
        let byName = Dictionary(uniqueKeysWithValues: families.map { ($0.family.name, $0.series[0].value) })
        guard case .number(let rss) = byName["process_resident_memory_bytes"],
              case .number(let start) = byName["process_start_time_seconds"],
              case .number(let fds) = byName["process_open_fds"],
              case .number(let threads) = byName["process_threads"] else {
            Issue.record("missing process families: \(byName.keys)")
            return
        }
        #expect(rss > 1_000_000)
        #expect(abs(start - Posix.wallSeconds()) < 3600 * 24)
        #expect(fds >= 3 && threads >= 1)
    }
}
