import Testing
@testable import ProviderExporter

/// Expected strings are what Go's `strconv.FormatFloat(v, 'g', -1, 64)` prints,
/// which is what Prometheus' own encoders write.
@Suite struct FloatFormatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.5, "0.5"), (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "1e-07"), (0.0001, "0.0001"), (0.00001, "1e-05"), (123456, "123456"), (999999, "999999"),
        (999999.5, "999999.5"), (1e6, "1e+06"), (1234567, "1.234567e+06"), (1795447292.36, "1.79544729236e+09"),
        (1.5e300, "1.5e+300"), (Double("2.5e-310")!, "2.5e-310"), (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-2.5e-5, "-2.5e-05"), (100, "100"),
        (0.05, "0.05"), (2.5, "2.5"), (30, "30"), (1e21, "1e+21"), (123.456, "123.456"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func matchesGo(value: Double, expected: String) {
        #expect(FloatFormat.format(value) == expected)
    }

    @Test func roundTripsRandomValues() {
        var generator = SeededRandom(0x5EED_F10A)
        for _ in 0..<20000 {
            let bits = generator.next() as UInt64
            let value = Double(bitPattern: bits)
            guard value.isFinite else { continue }
            let text = FloatFormat.format(value)
            #expect(Double(text) == value, "\(text) does not round-trip \(value)")
            #expect(!text.contains("inf") && !text.contains("nan"))
        }
    }
}
