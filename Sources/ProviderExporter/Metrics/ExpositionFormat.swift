/// The two exposition formats of README, "Endpoints".
public enum ExpositionFormat: Sendable, Hashable {
    case text
    case openMetrics

    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format an `Accept` header prefers: OpenMetrics when its best
    /// quality is higher than plain text's, or equal and listed first (as
    /// Prometheus 2.x and 3.x list it). No header, or one naming neither: text.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        var best: (format: ExpositionFormat, q: Double)? = nil
        for (mediaType, q) in qualityList(accept) where q > 0 {
            let format: ExpositionFormat
            switch mediaType {
            case "application/openmetrics-text": format = .openMetrics
            case "text/plain", "*/*", "text/*": format = .text
            default: continue
            }
            if best == nil || q > best!.q { best = (format, q) }
        }
        return best?.format ?? .text
    }
}

/// Whether an `Accept-Encoding` header allows gzip (explicitly or via `*`).
public func acceptsGzip(_ acceptEncoding: String?) -> Bool {
    let codings = qualityList(acceptEncoding)
    let gzip = codings.first { $0.token == "gzip" || $0.token == "x-gzip" }?.q
    let star = codings.first { $0.token == "*" }?.q
    return (gzip ?? star ?? 0) > 0
}

/// The elements of an `Accept`-style header, lower-cased, each with its `q`
/// parameter (1 when absent), in header order.
func qualityList(_ header: String?) -> [(token: String, q: Double)] {
    guard let header else { return [] }
    return header.split(separator: ",").compactMap { element in
        let parts = element.split(separator: ";").map { $0.trimmed() }
        guard let token = parts.first?.lowercased(), !token.isEmpty else { return nil }
        var q = 1.0
        for parameter in parts.dropFirst() {
            let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmed() }
            if kv.count == 2, kv[0].lowercased() == "q", let value = Double(kv[1]) { q = value }
        }
        return (token, q)
    }
}
