@testable import ProviderExporter

/// The exposition of everything a store holds (the provider families), as
/// `/metrics` would write it.
func exposition(_ store: StateStore, format: ExpositionFormat = .text) -> String {
    String(decoding: Exposition(state: store.view).encode(format), as: UTF8.self)
}

/// The blocks (HELP, TYPE and samples) of the families named, in the order
/// they appear.
func familiesNamed(_ names: Set<String>, in body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var keep = false
    for line in String(decoding: body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        if line.hasPrefix("# HELP ") {
            keep = names.contains(String(line.dropFirst(7).prefix { $0 != " " }))
        }
        if keep { out.append(contentsOf: (line + "\n").utf8) }
    }
    return out
}
