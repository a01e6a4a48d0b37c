/// A per-check family: its declaration (name, type, HELP, label names) and its
/// value, in one place (`CheckFamilies`). Its labels are `check`, `provider`
/// and at most one more, whose values the `Value` lists or reads; every family
/// is written by the one path of `CheckExposition`, labels in name order.
struct CheckFamily: Sendable {
    enum Value: Sendable {
        /// At most one sample per check; nil writes none.
        case single(@Sendable (UnsafePointer<CheckRecord>) -> Double?)
        /// At most one sample per check and value of the extra label, the
        /// values given in label-value order; the closure gets the value's index.
        case labelled(values: [String], @Sendable (UnsafePointer<CheckRecord>, Int) -> Double?)
        /// Values of the extra label read from the record (balances by currency).
        case keyed(@Sendable (UnsafePointer<CheckRecord>) -> [String: Double])
        /// The histogram in place (`c.pointer(to: \.histogram)`), not a copy of its arrays.
        case histogram(@Sendable (UnsafePointer<CheckRecord>) -> UnsafePointer<HistogramValue>?)
    }

    /// Where the extra label falls among `check` and `provider` in name order:
    /// it decides the order series are written in.
    enum Placement: Sendable { case none, beforeCheck, betweenCheckAndProvider, afterProvider }

    let family: MetricFamily
    let value: Value
    /// The value of a status page's series (`check="status_page"`); nil: no page series.
    let page: (@Sendable (StatusPageRecord) -> Double?)?
    /// Only in `/metrics`, not in `/probe` (exporter-wide figures).
    let exporterWide: Bool
    let placement: Placement
    /// `label="value"` of every listed value of the extra label, rendered once.
    let pieces: [Piece]

    init(_ name: String, _ type: MetricType, _ help: String, extra: String? = nil, exporterWide: Bool = false,
         page: (@Sendable (StatusPageRecord) -> Double?)? = nil, _ value: Value) {
        family = MetricFamily(name, type, help, labels: ["provider", "check"] + (extra.map { [$0] } ?? []))
        self.value = value
        self.page = page
        self.exporterWide = exporterWide
        if let extra {
            placement = LabelText.precedes(extra, "check") ? .beforeCheck
                : LabelText.precedes(extra, "provider") ? .betweenCheckAndProvider : .afterProvider
        } else {
            placement = .none
        }
        if page != nil {
            guard case .single = value else { preconditionFailure("\(name): only a single value has status-page series") }
        }
        switch value {
        case .labelled(let values, _):
            precondition(extra != nil, "\(name): a labelled value needs its extra label")
            precondition(values == values.sorted { LabelText.precedes($0, $1) }, "\(name): values must be in label-value order")
            pieces = values.map { Piece(LabelText.pair(extra!, $0)) }
        case .keyed:
            precondition(extra != nil, "\(name): a keyed value needs its extra label")
            pieces = []
        case .single, .histogram:
            precondition(extra == nil, "\(name): only labelled and keyed values have an extra label")
            pieces = []
        }
    }

    /// The extra label's name.
    var extraLabel: String? { family.labelNames.count > 2 ? family.labelNames[2] : nil }

    /// A labelled value over an enum's cases, in label-value order.
    static func labelled<E: RawRepresentable<String> & CaseIterable & Sendable>(
        _ type: E.Type, _ value: @escaping @Sendable (UnsafePointer<CheckRecord>, E) -> Double?
    ) -> Value {
        let cases = E.allCases.sorted { LabelText.precedes($0.rawValue, $1.rawValue) }
        return .labelled(values: cases.map(\.rawValue)) { record, i in value(record, cases[i]) }
    }
}
