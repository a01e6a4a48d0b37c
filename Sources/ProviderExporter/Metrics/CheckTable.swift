/// One scrape's numbers of every check and status page, copied out of the
/// records in one pass, in the layout's order. Each per-check family then walks
/// these flat arrays instead of the records: 30 families visiting 10,000
/// records each spent most of a render on cache misses and reference counts.
/// Histograms and balances are read from the records by their own families.
struct CheckTable {
    struct Row {
        var isPage = false
        /// Index of the last result in `ProviderExposition.resultPieces`; -1 before the first probe.
        var result: Int8 = -1
        var success = false
        var chat = false
        var stream = false
        var failures = 0.0
        var threshold = 0.0
        var status = 0.0
        var lastProbe: Double?
        var next: Double?
        var lastSuccess: Double?
        var retryAfter: Double?
        var certificateExpiry: Double?
        var phases: PhaseTimings?
        var inputTokens: UInt64 = 0
        var outputTokens: UInt64 = 0

        var probed: Bool { result >= 0 }
    }

    /// Parallel to `layout.checks`.
    var rows: [Row] = []
    /// Per row, the probe counts of `resultPieces`, then the skip counts of `reasonPieces`.
    var counts: [UInt64] = []
    /// Rate-limit windows of probed checks, in row order and resource order.
    var rateLimits: [(row: Int32, resource: Int8, window: RateLimitWindow)] = []
    var anyChat = false
    var anyBalance = false

    static var countStride: Int { ProviderExposition.resultPieces.count + ProviderExposition.reasonPieces.count }

    init(_ view: StateView) {
        let results = ProviderExposition.resultPieces, reasons = ProviderExposition.reasonPieces
        let resources = ProviderExposition.resourcePieces
        rows.reserveCapacity(view.layout.checks.count)
        counts.reserveCapacity(view.layout.checks.count * Self.countStride)
        view.providers.withUnsafeBufferPointer { providers in
            for (i, ref) in view.layout.checks.enumerated() {
                var row = Row()
                let provider = providers.baseAddress! + Int(ref.provider)
                if ref.isPage {
                    row.isPage = true
                    row.lastProbe = provider.pointee.statusPage?.lastFetchAt
                    row.next = provider.pointee.statusPage?.nextFetchAt
                    for _ in 0 ..< Self.countStride { counts.append(0) }
                    rows.append(row)
                    continue
                }
                provider.pointee.checks.withUnsafeBufferPointer { checks in
                    let c = checks.baseAddress! + Int(ref.check)
                    if let result = c.pointee.lastResult {
                        row.result = Int8(results.firstIndex { $0.value == result } ?? 0)
                        row.success = result.isSuccess
                        row.failures = Double(c.pointee.consecutiveFailures)
                        row.status = Double(c.pointee.lastStatus)
                        row.lastProbe = c.pointee.lastProbeAt
                        row.lastSuccess = c.pointee.lastSuccessAt
                        row.retryAfter = c.pointee.retryAfter
                        row.certificateExpiry = c.pointee.certificateExpiry
                        row.phases = c.pointee.phases
                        if !c.pointee.rateLimits.isEmpty {
                            for (r, piece) in resources.enumerated() {
                                if let window = c.pointee.rateLimits[piece.value] { rateLimits.append((Int32(i), Int8(r), window)) }
                            }
                        }
                        if !c.pointee.balances.isEmpty { anyBalance = true }
                    }
                    row.threshold = Double(c.pointee.config.failureThreshold)
                    row.next = c.pointee.nextProbeAt
                    if let chat = c.pointee.config.chat {
                        row.chat = true
                        row.stream = chat.stream
                        row.inputTokens = c.pointee.inputTokens
                        row.outputTokens = c.pointee.outputTokens
                        anyChat = true
                    }
                    for piece in results { counts.append(c.pointee.counts[piece.value] ?? 0) }
                    for piece in reasons { counts.append(c.pointee.skipped[piece.value] ?? 0) }
                }
                rows.append(row)
            }
        }
    }
}
