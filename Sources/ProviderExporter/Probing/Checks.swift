/// What one probe came to: an API check's outcome, or a status-page fetch
/// with its exchanges.
public enum ProbeFinished: Sendable {
    case api(ProbeOutcome)
    case page(StatusPageOutcome, hops: [HopTrace])
}

/// Anything the probe runner runs: every kind of check, and a provider's
/// status page (`StatusPageFetcher`). nil only when it was cancelled.
public protocol Probe: Sendable {
    func probe(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeFinished?
}

/// One kind of API probe. A check is a small value with one job; it never
/// touches metrics: it returns what it saw.
public protocol Check: Probe {
    /// Runs one probe within `timeout` seconds, reading the time from `clock`.
    /// nil only when it was cancelled (a reload or shutdown); every other end,
    /// failures included, is an outcome.
    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome?
}

extension Check {
    public func probe(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeFinished? {
        await run(using: client, timeout: timeout, clock: clock).map(ProbeFinished.api)
    }

    /// A probe on the system clock.
    func run(using client: HTTPClient, timeout: Double) async -> ProbeOutcome? {
        await run(using: client, timeout: timeout, clock: SystemClock())
    }
}

/// The check types, registered in one exhaustive switch.
public enum Checks {
    /// Every check's error text passes through the provider's redaction.
    public static func make(_ check: CheckConfig, provider: ProviderConfig) -> any Check {
        let inner: any Check = switch check.kind {
        case .models: ModelsCheck(config: check, provider: provider)
        case .http(let spec): HTTPCheck(config: check, spec: spec, provider: provider)
        case .balance(let dialect): BalanceCheck(config: check, dialect: dialect, provider: provider)
        case .chat(let spec): ChatCheck(config: check, spec: spec, provider: provider)
        }
        let secrets = provider.secrets
        return secrets.isEmpty ? inner : RedactingCheck(inner: inner, secrets: secrets)
    }

    /// The request every check starts from: headers, secret headers, TLS,
    /// connection reuse. `withKey` adds the provider's API key in its scheme.
    static func baseRequest(url: String, check: CheckConfig, provider: ProviderConfig, timeout: Double, withKey: Bool) -> ClientRequest {
        var request = ClientRequest(url: url, timeout: timeout)
        request.headers = check.headers
        request.secretHeaders = provider.secretHeaders.map { ($0.name, $0.value) }
        if withKey, let key = provider.apiKey {
            switch provider.auth {
            case .bearer:
                request.secretHeaders.append(("Authorization", Secret("Bearer " + key.revealed)))
            case .header(let name, let extra):
                request.secretHeaders.append((name, key))
                request.headers += extra.map { (name: $0.0, value: $0.1) }
            }
        }
        request.tls = check.tls
        request.reuseConnections = check.reuseConnections
        return request
    }

    /// An outcome with everything the response carried besides its result.
    static func outcome(_ response: ClientResponse, _ classified: Classification, now: Double) -> ProbeOutcome {
        var outcome = ProbeOutcome(result: classified.result, status: response.status, duration: response.duration,
                                   error: classified.error)
        outcome.rule = classified.rule
        outcome.hops = response.hops
        outcome.phases = response.phases
        outcome.rateLimits = RateLimitParser.parse(response.headers, now: now)
        // Gemini's RetryInfo is a retry hint exactly like Retry-After; the header wins.
        if outcome.rateLimits.retryAfter == nil { outcome.rateLimits.retryAfter = classified.retryHint }
        outcome.certificateExpiry = response.certificateExpiry
        return outcome
    }
}

/// `GET {base_url}{models_path}` with the provider's auth: a 2xx JSON body with
/// a model list (`data` or `models`), and with `expect_model`, that model in
/// it, following the list's pagination for at most 10 pages.
struct ModelsCheck: Check {
    let config: CheckConfig
    let provider: ProviderConfig

    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome? {
        let deadline = clock.monotonic() + timeout
        var query = pageSizeQuery
        var total = 0.0
        var first: ClientResponse? = nil
        var hops: [HopTrace] = []
        for number in 1...10 {
            let url = (provider.baseURL ?? "") + provider.modelsPath + (query.isEmpty ? "" : "?" + query)
            let remaining = deadline - clock.monotonic()
            var request = Checks.baseRequest(url: url, check: config, provider: provider, timeout: max(0.001, remaining), withKey: true)
            request.maxRedirects = 0 // API checks never follow redirects (README, "Configuration")
            let response = await client.send(request)
            total += response.duration
            first = first ?? response
            hops += response.hops
            let page = examine(response.body)
            guard var classified = Classifier.classify(response, expect: config.expectStatus, bodyProblem: page.problem, dialect: ErrorDialect(preset: provider.preset)) else { return nil }
            if classified.result == .success, let wanted = config.expectModel,
               !page.ids.contains(where: { $0 == wanted || $0 == "models/" + wanted }) {
                // Gemini lists `models/NAME`; `NAME` matches it too.
                guard let next = page.next, number < 10 else {
                    let problem = "model \(wanted) is not listed" + (number == 10 ? " in 10 pages" : "")
                    classified = Classification(.invalid_response, error: problem, rule: "body check failed: \(problem)")
                    return finish(response, classified, total, first, hops, now: clock.now())
                }
                query = [pageSizeQuery, next].filter { !$0.isEmpty }.joined(separator: "&")
                continue
            }
            return finish(response, classified, total, first, hops, now: clock.now())
        }
        return nil // unreachable: the loop returns by page 10
    }

    func finish(_ last: ClientResponse, _ classified: Classification, _ total: Double, _ first: ClientResponse?,
                _ hops: [HopTrace], now: Double) -> ProbeOutcome {
        var outcome = Checks.outcome(last, classified, now: now)
        outcome.hops = hops
        outcome.duration = total
        outcome.phases = first?.phases ?? last.phases
        return outcome
    }

    var pageSizeQuery: String {
        guard config.expectModel != nil else { return "" }
        switch provider.pagination {
        case .none: return ""
        case .afterID(_, let limit): return "limit=\(limit)"
        case .pageToken(let size): return "pageSize=\(size)"
        }
    }

    /// One page, parsed once: what is wrong with it, the model ids it lists
    /// (`data[].id` or `models[].name`), and the query for the next page.
    func examine(_ body: [UInt8]) -> (problem: String?, ids: [String], next: String?) {
        guard let json = try? JSONValue.parse(body) else { return ("body is not JSON", [], nil) }
        // `data: [...]` (OpenAI style), `models: [...]` (Gemini, Cohere), or a
        // bare array (Together).
        guard let list = json["data"]?.array ?? json["models"]?.array ?? json.array else {
            return ("body has no model list (data or models)", [], nil)
        }
        let ids = list.compactMap { $0["id"]?.string ?? $0["name"]?.string }
        switch provider.pagination {
        case .none:
            return (nil, ids, nil)
        case .afterID(let param, _):
            guard case .bool(true)? = json["has_more"], let last = json["last_id"]?.string else { return (nil, ids, nil) }
            return (nil, ids, "\(param)=\(last.addingPathPercentEncoding())")
        case .pageToken:
            guard let token = json["nextPageToken"]?.string, !token.isEmpty else { return (nil, ids, nil) }
            return (nil, ids, "pageToken=\(token.addingPathPercentEncoding())")
        }
    }

}

/// Any URL: method, headers, body; an expected status and, with
/// `expect_body`, a body matching the regular expression. Sends the
/// provider's secret headers (never its API key), and follows up to 5
/// redirects unless `follow_redirects: false`.
struct HTTPCheck: Check {
    let config: CheckConfig
    let spec: HTTPSpec
    let provider: ProviderConfig
    /// `expect_body`, compiled when the check is made: once per config, as the
    /// probe runner keeps its checks (the loader has already refused a bad one).
    let bodyPattern: BodyPattern?

    /// A compiled pattern. `@unchecked Sendable`: a `Regex` built from a string
    /// holds no closures and only reads its program once compiled (its lazy
    /// lowering is published atomically), so checks on several threads share it.
    struct BodyPattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    init(config: CheckConfig, spec: HTTPSpec, provider: ProviderConfig) {
        self.config = config
        self.spec = spec
        self.provider = provider
        bodyPattern = spec.expectBody.flatMap { try? Regex($0) }.map(BodyPattern.init)
    }

    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome? {
        var request = Checks.baseRequest(url: spec.url, check: config, provider: provider, timeout: timeout, withKey: false)
        request.method = spec.method
        request.body = spec.body.map { Array($0.utf8) }
        request.maxRedirects = spec.followRedirects ? 5 : 0
        let response = await client.send(request)
        var problem: String? = nil
        if let pattern = bodyPattern {
            let text = String(decoding: response.body, as: UTF8.self)
            if !text.contains(pattern.regex) { problem = "body does not match expect_body" }
        }
        guard let classified = Classifier.classify(response, expect: config.expectStatus, bodyProblem: problem, dialect: ErrorDialect(preset: provider.preset)) else { return nil }
        return Checks.outcome(response, classified, now: clock.now())
    }
}

/// The provider's credit endpoint (OpenRouter `GET /key`, DeepSeek
/// `GET /user/balance`) into `provider_credit_balance{currency}`.
struct BalanceCheck: Check {
    let config: CheckConfig
    let dialect: BalanceDialect
    let provider: ProviderConfig

    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome? {
        var request = Checks.baseRequest(url: (provider.baseURL ?? "") + dialect.path, check: config, provider: provider,
                                         timeout: timeout, withKey: true)
        request.maxRedirects = 0
        let response = await client.send(request)
        let parsed = Self.parse(response.body, dialect: dialect)
        guard let classified = Classifier.classify(response, expect: config.expectStatus, bodyProblem: parsed.problem, dialect: ErrorDialect(preset: provider.preset)) else { return nil }
        var outcome = Checks.outcome(response, classified, now: clock.now())
        if classified.result == .success { outcome.balances = parsed.balances }
        return outcome
    }

    static func parse(_ body: [UInt8], dialect: BalanceDialect) -> (balances: [String: Double], problem: String?) {
        guard let json = try? JSONValue.parse(body) else { return ([:], "body is not JSON") }
        switch dialect {
        case .openrouter:
            guard let data = json["data"], case .object = data else { return ([:], "body has no data object") }
            // null: an unlimited key, which has no balance to export.
            guard let remaining = data["limit_remaining"]?.number else { return ([:], nil) }
            return (["USD": remaining], nil)
        case .deepseek:
            guard let infos = json["balance_infos"]?.array else { return ([:], "body has no balance_infos") }
            var balances: [String: Double] = [:]
            for info in infos {
                guard let currency = info["currency"]?.string,
                      let amount = info["total_balance"]?.string.flatMap(Double.init) ?? info["total_balance"]?.number,
                      amount.isFinite else { return ([:], "a balance_infos entry has no currency or total_balance") }
                balances[currency] = amount
            }
            return (balances, nil)
        }
    }
}
