/// The two exposition formats of SPEC section 3.
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
        guard let accept else { return .text }
        var best: (format: ExpositionFormat, q: Double)? = nil
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces() }
            guard let mediaType = parts.first?.lowercased() else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
                if kv.count == 2, kv[0].lowercased() == "q", let value = Double(kv[1]) { q = value }
            }
            let format: ExpositionFormat
            switch mediaType {
            case "application/openmetrics-text": format = .openMetrics
            case "text/plain", "*/*", "text/*": format = .text
            default: continue
            }
            guard q > 0 else { continue }
            if best == nil || q > best!.q { best = (format, q) }
        }
        return best?.format ?? .text
    }
}

/// Whether an `Accept-Encoding` header allows gzip (explicitly or via `*`).
public func acceptsGzip(_ acceptEncoding: String?) -> Bool {
    guard let acceptEncoding else { return false }
    var gzipQ: Double? = nil
    var starQ: Double? = nil
    for coding in acceptEncoding.split(separator: ",") {
        let parts = coding.split(separator: ";").map { $0.trimmingSpaces() }
        guard let name = parts.first?.lowercased() else { continue }
        var q = 1.0
        for parameter in parts.dropFirst() {
            let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            if kv.count == 2, kv[0].lowercased() == "q", let value = Double(kv[1]) { q = value }
        }
        if name == "gzip" || name == "x-gzip" { gzipQ = q } else if name == "*" { starQ = q }
    }
    return (gzipQ ?? starQ ?? 0) > 0
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
