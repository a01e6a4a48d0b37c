import Foundation
import Glibc
import Testing
import ProviderExporter

/// 100 reloads, alternating valid and invalid configs, while /metrics is scraped
/// without pause: every scrape is a complete exposition of one config, the
/// first scrape after a reload shows its outcome, and an invalid config leaves
/// the running one in place.
@Suite(.serialized) struct ReloadUnderFireTests {
    static func config(_ names: [String], fake: FakeProvider) -> String {
        "global: {interval: 1s, timeout: 500ms}\nproviders:\n"
            + names.map { "  - {name: \($0), preset: openai_compatible, base_url: '\(fake.baseURL)/v1'}\n" }.joined()
    }

    /// The providers a text exposition speaks of, or a reason it is not one config's.
    static func providers(in body: String, configs: [Set<String>]) -> (Set<String>?, String?) {
        guard body.hasSuffix("# EOF\n") else { return (nil, "incomplete exposition (\(body.utf8.count) bytes, no # EOF)") }
        var info = Set<String>(), all = Set<String>()
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let start = line.range(of: "provider=\"") else { continue }
            let rest = line[start.upperBound...]
            let name = String(rest[..<rest.firstIndex(of: "\"")!])
            all.insert(name)
            if line.hasPrefix("provider_info{") { info.insert(name) }
        }
        guard configs.contains(info) else { return (nil, "providers \(info.sorted()) are no config's") }
        guard all == info else { return (nil, "series of \(all.subtracting(info).sorted()) next to providers \(info.sorted())") }
        return (info, nil)
    }

    @Test func hundredReloadsWhileScraping() async throws {
        try await offPool {
            let fake = try FakeProvider()
            defer { fake.stop() }
            fake.set("/v1/models", .json(200, #"{"data":[]}"#))
            let a = ["alpha-one", "alpha-two"], b = ["beta-one", "beta-two", "beta-three"]
            let sets = [Set(a), Set(b)]
            let invalid = [
                "providers: [oops\n",                                                       // syntax
                Self.config(a, fake: fake).replacingOccurrences(of: "timeout", with: "timeoutt"), // unknown key
                Self.config(b, fake: fake).replacingOccurrences(of: "1s", with: "100ms"),   // timeout not below interval
            ]
            let path = try TestBinary.writeTemp("fire.yml", Self.config(a, fake: fake))
            func write(_ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
            let run = try TestBinary.start(["--config.file=\(path)"])
            defer { if run.process.isRunning { kill(run.process.processIdentifier, SIGKILL) } }
            let openMetrics = "Accept: application/openmetrics-text; version=1.0.0"
            let watch = ScrapeWatch(port: run.port, every: 0, headers: [openMetrics]) { response in
                Self.providers(in: response.text, configs: sets).1
            }
            let client = try RawClient(port: run.port)
            var running = a
            var failures: [String] = []
            for i in 0..<100 {
                let valid = i % 2 == 0
                let next = (i / 2) % 2 == 0 ? b : a
                try write(valid ? Self.config(next, fake: fake) : invalid[(i / 2) % invalid.count])
                let reload = try client.get("/-/reload", method: "POST")
                if valid { running = next }
                if reload.status != (valid ? 200 : 500) { failures.append("reload \(i): status \(reload.status): \(reload.text)") }
                // The very next scrape shows the outcome.
                let text = try client.get("/metrics", headers: [openMetrics]).text
                let (seen, problem) = Self.providers(in: text, configs: sets)
                if let problem { failures.append("reload \(i): \(problem)") }
                if seen != Set(running) { failures.append("reload \(i): scrape shows \(seen?.sorted() ?? []), running \(running)") }
                if samples(text)["provider_exporter_config_last_reload_successful"] != (valid ? 1 : 0) {
                    failures.append("reload \(i): last_reload_successful is not \(valid ? 1 : 0)")
                }
            }
            let scrapes = watch.stop()
            #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
            #expect(scrapes.failures.isEmpty, "\(scrapes.failures.count) of \(scrapes.latencies.count) scrapes: \(scrapes.failures.prefix(3))")
            #expect(scrapes.latencies.count > 100)
            print("reload under fire: 100 reloads, \(scrapes.latencies.count) concurrent scrapes, p99 "
                  + "\((ScrapeWatch.percentile(scrapes.latencies, 0.99) * 1000).rounded()) ms")
            #expect(run.process.isRunning)
        }
    }
}
