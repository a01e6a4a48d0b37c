/// Cumulative histogram counts, as Prometheus exposes them.
public struct HistogramValue: Sendable, Equatable {
    /// Finite upper bounds in ascending order; the `+Inf` bucket is implied.
    public var upperBounds: [Double]
    /// Cumulative counts, one per finite upper bound.
    public var cumulativeCounts: [UInt64]
    public var sum: Double
    /// Count of all observations (the `+Inf` bucket).
    public var count: UInt64

    public init(upperBounds: [Double], cumulativeCounts: [UInt64], sum: Double, count: UInt64) {
        precondition(upperBounds.count == cumulativeCounts.count)
        self.upperBounds = upperBounds
        self.cumulativeCounts = cumulativeCounts
        self.sum = sum
        self.count = count
    }

    /// An empty histogram over the given bounds.
    public init(upperBounds: [Double]) {
        self.init(upperBounds: upperBounds, cumulativeCounts: Array(repeating: 0, count: upperBounds.count), sum: 0, count: 0)
    }

    /// Records one observation.
    public mutating func observe(_ value: Double) {
        for i in upperBounds.indices where value <= upperBounds[i] {
            cumulativeCounts[i] += 1
        }
        count += 1
        sum += value
    }
}
