import Synchronization

/// A check's place in `StateView.providers`. `check` is -1 for the
/// provider's status page (the `check="status_page"` series of the timestamp
/// families). Plain numbers: a scrape reads one per series.
public struct CheckRef: Sendable {
    public var provider: Int32
    public var check: Int32

    public var isPage: Bool { check < 0 }
}

/// The order the exposition walks the store in, worked out when the config
/// loads (and, for status-page components and incidents, when a fetch
/// changes them), so that a scrape writes series without sorting. Series are
/// sorted by their label values with the labels in name order, so per-check
/// series go by check name, then provider name. Only indexes: the label text
/// is the exposition's (`ExpositionLabels`), rendered once per layout.
public struct ExpositionLayout: Sendable {
    /// Tells one layout from another: label text rendered for it is reused
    /// until the layout changes (a config load or reload).
    public private(set) var id: UInt64 = 0
    /// Providers by name.
    public var providers: [Int32] = []
    /// Providers by (preset, priority, name): `provider_info`'s label order.
    public var info: [Int32] = []
    /// Every check and status page by (check name, provider name).
    public var checks: [CheckRef] = []
    /// The end (exclusive) in `checks` of each run of one check name.
    public var checkGroupEnds: [Int32] = []
    /// Watched components by (label, provider name): (provider, component index).
    public var components: [(provider: Int32, index: Int32)] = []
    /// Unresolved incidents by (impact, id, name, provider name, status).
    public var incidents: [(provider: Int32, index: Int32)] = []

    public init() {}

    /// The layout of `providers`, status-page labels included.
    public init(_ providers: [ProviderRecord]) {
        id = Self.nextID.add(1, ordering: .relaxed).newValue
        let names = providers.map(\.config.name)
        self.providers = Array(Int32(0) ..< Int32(providers.count)).sorted { LabelText.precedes(names[Int($0)], names[Int($1)]) }
        // Ties (same preset and priority) keep name order.
        let presets = providers.map { $0.config.preset ?? "" }
        let priorities = providers.map { $0.config.priority.map(String.init) ?? "" }
        info = Self.stableSort(self.providers) { a, b in
            let (a, b) = (Int(a), Int(b))
            if presets[a] != presets[b] { return LabelText.precedes(presets[a], presets[b]) }
            return priorities[a] != priorities[b] && LabelText.precedes(priorities[a], priorities[b])
        }
        var refs: [(provider: Int32, check: Int32, name: String)] = []
        for p in self.providers {
            for (c, check) in providers[Int(p)].checks.enumerated() { refs.append((p, Int32(c), check.config.name)) }
            if providers[Int(p)].statusPage != nil { refs.append((p, -1, StatusPageConfig.checkName)) }
        }
        // Providers are already in name order: a stable sort by check name
        // leaves each run of one check name in provider order.
        let sorted = Self.stableSort(refs) { LabelText.precedes($0.name, $1.name) }
        for (i, r) in sorted.enumerated() {
            checks.append(CheckRef(provider: r.provider, check: r.check))
            if i + 1 == sorted.count || r.name != sorted[i + 1].name { checkGroupEnds.append(Int32(i + 1)) }
        }
        orderPages(providers)
    }

    /// Re-sorts the status-page series after a fetch changed a page's
    /// components or incidents.
    public mutating func orderPages(_ providers: [ProviderRecord]) {
        var components: [(provider: Int32, index: Int32)] = []
        var incidents: [(provider: Int32, index: Int32)] = []
        for p in self.providers {
            guard let state = providers[Int(p)].statusPage?.state else { continue }
            for i in state.components.indices { components.append((p, Int32(i))) }
            for i in state.incidents.indices where state.incidents[i].started != nil { incidents.append((p, Int32(i))) }
        }
        func component(_ e: (provider: Int32, index: Int32)) -> String {
            providers[Int(e.provider)].statusPage!.state!.components[Int(e.index)].label
        }
        self.components = Self.stableSort(components) { LabelText.precedes(component($0), component($1)) }
        func incident(_ e: (provider: Int32, index: Int32)) -> [String] {
            let i = providers[Int(e.provider)].statusPage!.state!.incidents[Int(e.index)]
            return [i.impact.rawValue, i.id, i.name, providers[Int(e.provider)].config.name, i.status]
        }
        self.incidents = Self.stableSort(incidents) { a, b in
            let x = incident(a), y = incident(b)
            for (u, v) in zip(x, y) where u != v { return LabelText.precedes(u, v) }
            return false
        }
    }

    private static let nextID = Atomic<UInt64>(0)

    /// A merge sort: equal elements keep their order, which the layout relies on
    /// (input in provider-name order).
    static func stableSort<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
        guard items.count > 1 else { return items }
        var a = items, b = items
        var width = 1
        while width < a.count {
            var i = 0
            while i < a.count {
                let mid = min(i + width, a.count), end = min(i + 2 * width, a.count)
                var l = i, r = mid, k = i
                while l < mid && r < end {
                    if less(a[r], a[l]) { b[k] = a[r]; r += 1 } else { b[k] = a[l]; l += 1 }
                    k += 1
                }
                while l < mid { b[k] = a[l]; l += 1; k += 1 }
                while r < end { b[k] = a[r]; r += 1; k += 1 }
                i += 2 * width
            }
            swap(&a, &b)
            width *= 2
        }
        return a
    }
}

/// What a scrape reads: the providers (a copy-on-write snapshot), the order to
/// walk them in, and the probes in flight (nil for `/probe`, which shows no
/// exporter-wide series).
public struct StateView: Sendable {
    public var providers: [ProviderRecord]
    public var layout: ExpositionLayout
    public var inFlight: Int?

    /// A view of records outside the store (`/probe`, debug reports): their
    /// layout is worked out here, for a handful of checks.
    public init(_ providers: [ProviderRecord], inFlight: Int? = nil) {
        self.providers = providers
        layout = ExpositionLayout(providers)
        self.inFlight = inFlight
    }

    init(providers: [ProviderRecord], layout: ExpositionLayout, inFlight: Int?) {
        self.providers = providers
        self.layout = layout
        self.inFlight = inFlight
    }
}
