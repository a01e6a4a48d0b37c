import Testing
@testable import ProviderExporter

@Suite struct ExpositionTests {
    /// A registry using every type, escaping edge cases and an empty family,
    /// deliberately out of order so that sorting is exercised.
    static let families: [FamilySnapshot] = {
        let gauge = MetricFamily("test_temperature_celsius", .gauge, "A gauge with \\ backslash, \"quotes\" and a\nnewline.",
                                 labels: ["provider", "check"])
        let counter = MetricFamily("test_requests_total", .counter, "A counter.", labels: ["result"])
        let histogram = MetricFamily("test_duration_seconds", .histogram, "A histogram.", labels: ["provider"])
        let empty = MetricFamily("test_empty", .gauge, "A family with no series.")
        let unlabelled = MetricFamily("a_first", .gauge, "Sorted before the others.")
        var h = HistogramValue(upperBounds: [0.05, 0.1, 1, 2.5])
        for v in [0.01, 0.07, 0.5, 3.0, 1e-7] { h.observe(v) }
        return [
            FamilySnapshot(gauge, [
                Series(["zeta", "models"], 1),
                Series(["quote\"back\\slash\nnl", "chat"], -2.5),
                Series(["ünïcødé ✓", "models"], 1e-7),
                Series(["alpha", "models"], .nan),
                Series(["alpha", "chat"], .infinity),
                Series(["beta", "x"], -.infinity),
            ]),
            FamilySnapshot(counter, [Series(["timeout"], 0), Series(["success"], 1234567)]),
            FamilySnapshot(histogram, [Series(["b"], histogram: h), Series(["a"], histogram: HistogramValue(upperBounds: [1]))]),
            FamilySnapshot(empty, []),
            FamilySnapshot(unlabelled, [Series(1795447292.36)]),
        ]
    }()

    @Test func textFormatGolden() throws {
        try expectGolden(Exposition(Self.families).encode(.text), "exposition.txt")
    }

    @Test func openMetricsGolden() throws {
        try expectGolden(Exposition(Self.families).encode(.openMetrics), "exposition.openmetrics.txt")
    }

    @Test func openMetricsEndsWithEOFAndNamesCountersWithoutTotal() {
        let text = String(decoding: Exposition(Self.families).encode(.openMetrics), as: UTF8.self)
        #expect(text.hasSuffix("# EOF\n"))
        #expect(text.contains("# TYPE test_requests counter\n"))
        #expect(text.contains("test_requests_total{result=\"success\"} 1.234567e+06\n"))
    }

    @Test func outputIsStableWhateverTheInputOrder() {
        var rng = SeededRandom(0x5EED_0DE5)
        let shuffled = Self.families.shuffled(using: &rng).map { f in FamilySnapshot(f.family, f.series.shuffled(using: &rng)) }
        #expect(Exposition(shuffled).encode(.text) == Exposition(Self.families).encode(.text))
    }
}

@Suite struct NegotiationTests {
    @Test(arguments: [
        // Prometheus 2.x default scrape protocols.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.openMetrics),
        // Prometheus 3.x.
        ("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", .openMetrics),
        // Prometheus configured for text first.
        ("text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5", .text),
        ("text/plain", .text), ("*/*", .text), ("application/json", .text), ("", .text),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text;q=0", .text),
    ])
    func accept(header: String, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: header) == expected)
    }

    @Test func noAcceptHeaderIsText() {
        #expect(ExpositionFormat.negotiate(accept: nil) == .text)
    }

    @Test(arguments: [("gzip", true), ("gzip, deflate", true), ("deflate, gzip;q=0.5", true), ("gzip;q=0", false),
                      ("identity", false), ("*", true), ("*;q=0", false), ("br, *;q=0.1", true), ("", false)])
    func gzip(header: String, expected: Bool) {
        #expect(acceptsGzip(header) == expected)
    }
}
