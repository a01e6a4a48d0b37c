@testable import ProviderExporter

/// SplitMix64: every randomised test draws from a seed it names, so a failure
/// reruns exactly (the seed is in the test, and in its failure message where
/// it loops over several).
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension StateStore {
    /// Records a finished probe; returns the provider's state change, if any.
    @discardableResult
    func record(provider: String, check: String, outcome: ProbeOutcome, finishedAt: Double) -> StateTransition? {
        recordProbe(provider: provider, check: check, outcome: outcome, finishedAt: finishedAt)?.transition
    }
}
