/// The exposition type of a family. State sets and info metrics are exported as
/// gauges (README, "Metrics"), so these three are all there is.
public enum MetricType: String, Sendable {
    case gauge, counter, histogram
}

/// Declaration of one metric family: everything about it except its samples.
/// Every family the exporter serves is declared once, in `Families`.
public struct MetricFamily: Sendable, Hashable {
    /// The name as the text format writes it; counters end in `_total`.
    public let name: String
    public let type: MetricType
    public let help: String
    /// Label names in declaration order; `Series.labelValues` follows it.
    public let labelNames: [String]

    public init(_ name: String, _ type: MetricType, _ help: String, labels: [String] = []) {
        precondition(type != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        precondition(!labels.contains("le"), "le is reserved for histogram buckets")
        self.name = name
        self.type = type
        self.help = help
        self.labelNames = labels
    }
}

/// The value of one series.
public enum SampleValue: Sendable, Equatable {
    case number(Double)
    case histogram(HistogramValue)
}

/// One labelled series of a family.
public struct Series: Sendable, Equatable {
    /// Values for the family's `labelNames`, in the same order.
    public var labelValues: [String]
    public var value: SampleValue

    /// An unlabelled series.
    public init(_ value: Double) {
        self.init([], value)
    }

    public init(_ labelValues: [String], _ value: Double) {
        self.labelValues = labelValues
        self.value = .number(value)
    }

    public init(_ labelValues: [String] = [], histogram: HistogramValue) {
        self.labelValues = labelValues
        self.value = .histogram(histogram)
    }
}

/// A family with the samples of one collection.
public struct FamilySnapshot: Sendable {
    public let family: MetricFamily
    public var series: [Series]

    public init(_ family: MetricFamily, _ series: [Series]) {
        for s in series {
            precondition(s.labelValues.count == family.labelNames.count, "\(family.name): label count mismatch")
        }
        self.family = family
        self.series = series
    }
}

/// Anything that contributes samples to a scrape. Collection runs on whatever
/// thread renders the scrape, so implementations read shared state under a lock.
public protocol MetricsCollector: Sendable {
    func collect() -> [FamilySnapshot]
}
