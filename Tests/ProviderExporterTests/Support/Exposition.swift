@testable import ProviderExporter

/// The exposition of everything a store holds (the provider families), as
/// `/metrics` would write it.
func exposition(_ store: StateStore, format: ExpositionFormat = .text) -> String {
    String(decoding: ExpositionEncoder.encode(ProviderCollector(store: store).collect(), format: format), as: UTF8.self)
}
