/// `GET /api/v1/providers` (README, "Endpoints"): a JSON snapshot sorted best first.
enum ProviderAPI {
    static func sorted(_ providers: [ProviderRecord]) -> [ProviderRecord] {
        providers.sorted { a, b in
            if a.health.rank != b.health.rank { return a.health.rank < b.health.rank }
            switch (a.config.priority, b.config.priority) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            switch (a.healthScore, b.healthScore) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            return a.config.name < b.config.name
        }
    }

    static func json(_ providers: [ProviderRecord]) -> String {
        let items = sorted(providers).map { p -> String in
            let lastError = p.checks.compactMap(\.lastError).first ?? p.statusPage?.lastError
            let incidents = (p.statusPage?.state?.incidents ?? []).map { i in
                "{\"id\":\(string(i.id)),\"name\":\(string(i.name)),\"impact\":\(string(i.impact.rawValue)),"
                    + "\"status\":\(string(i.status)),\"started\":\(number(i.started))}"
            }
            let checks = p.checks.map { c -> String in
                let limits = c.rateLimits.sorted { $0.key < $1.key }.map { resource, w in
                    "\(string(resource.rawValue)):{\"limit\":\(number(w.limit)),\"remaining\":\(number(w.remaining)),\"reset\":\(number(w.reset))}"
                }
                return "{\"name\":\(string(c.config.name)),\"up\":\(c.lastResult.map { $0.isSuccess ? "true" : "false" } ?? "null"),"
                    + "\"result\":\(c.lastResult.map { string($0.rawValue) } ?? "null"),"
                    + "\"latency_seconds\":\(number(c.lastDuration)),\"ratelimits\":{\(limits.joined(separator: ","))}}"
            }
            return "{\"name\":\(string(p.config.name)),\"state\":\(string(p.health.rawValue)),"
                + "\"health_score\":\(number(p.healthScore)),\"priority\":\(p.config.priority.map(String.init) ?? "null"),"
                + "\"last_error\":\(lastError.map(string) ?? "null"),\"incidents\":[\(incidents.joined(separator: ","))],"
                + "\"checks\":[\(checks.joined(separator: ","))]}"
        }
        return "{\"providers\":[\(items.joined(separator: ","))]}\n"
    }

    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return FloatFormat.format(v)
    }

    static func string(_ s: String) -> String { JSONString.quote(s) }
}
