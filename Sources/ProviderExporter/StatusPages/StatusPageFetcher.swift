/// What one status-page fetch came to.
public enum StatusPageOutcome: Sendable {
    case ok(StatusPageState)
    /// Every document answered 304: the last parsed state stands.
    case notModified
    /// Transport, status, size or parse problem; the previous state is kept.
    case error(String)
}

/// `provider_status_page_fetches_total{result}`.
public enum FetchResult: String, Sendable, CaseIterable {
    case ok, not_modified, error
}

/// Fetches one provider's status page with conditional requests. It remembers
/// each document's validators and last body, so a `304` on one document and a
/// `200` on another still decode.
// @unchecked: the ProbeRunner keeps one per page and runs at most one probe of
// a page at a time (later callers join the one in flight), so its cache is
// never touched by two tasks at once.
final class StatusPageFetcher: Probe, @unchecked Sendable {
    let page: StatusPageConfig
    let provider: ProviderConfig
    private var cache: [String: (etag: String?, lastModified: String?, body: [UInt8])] = [:]
    /// The exchanges of the last fetch (conditional headers, 304s), for the debug report.
    private(set) var lastHops: [HopTrace] = []

    init(page: StatusPageConfig, provider: ProviderConfig) {
        self.page = page
        self.provider = provider
    }

    /// The decoder of each format: the one table a new format joins.
    static func decoder(for format: StatusPageFormat) -> any StatusPageDecoder.Type {
        switch format {
        case .statuspage: StatuspageDecoder.self
        case .betterstack: BetterStackDecoder.self
        case .google_cloud: GoogleCloudDecoder.self
        case .datadog: DatadogDecoder.self
        case .rss: RSSDecoder.self
        case .flashduty: FlashDutyDecoder.self
        }
    }

    func probe(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeFinished? {
        guard let outcome = await fetch(using: client, timeout: timeout, clock: clock) else { return nil }
        return .page(outcome, hops: lastHops)
    }

    func fetch(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> StatusPageOutcome? {
        let deadline = clock.monotonic() + timeout
        lastHops = []
        let decoder = Self.decoder(for: page.format)
        guard let main = await document(decoder.mainURL(page), accept: decoder.accept, client, deadline, clock) else { return nil }
        guard case .success(let (mainBody, mainChanged)) = main else { return main.failure.map { .error($0) } }
        do {
            var extraBody: [UInt8]? = nil
            var changed = mainChanged
            if let extraURL = try decoder.extraURL(page, main: mainBody) {
                guard let extra = await document(extraURL, accept: decoder.accept, client, deadline, clock) else { return nil }
                guard case .success(let (body, extraChanged)) = extra else {
                    let document = extraURL.split(separator: "/").last.map(String.init) ?? extraURL
                    return extra.failure.map { .error(document + ": " + $0) }
                }
                extraBody = body
                changed = changed || extraChanged
            }
            if !changed { return .notModified }
            return .ok(try decoder.decode(mainBody, extra: extraBody, page: page, now: clock.now()))
        } catch {
            // The body is bad: forget it, so the next fetch is a full one.
            cache.removeAll()
            return .error(error.description)
        }
    }

    /// One document: its body and whether it changed, or a failure text; nil if cancelled.
    private func document(_ url: String, accept: String, _ client: HTTPClient, _ deadline: Double,
                          _ clock: any TimeSource) async -> Result<([UInt8], Bool), FetchFailure>? {
        var request = ClientRequest(url: url, timeout: max(0.001, deadline - clock.monotonic()))
        request.maxRedirects = page.followRedirects ? 5 : 0
        // Google Cloud's incidents.json holds its whole history (several MiB).
        request.maxBodyBytes = Self.maxBodyBytes
        request.headers = [("Accept", accept)]
        request.tls = provider.tls
        let cached = cache[url]
        if let cached {
            if let etag = cached.etag { request.headers.append(("If-None-Match", etag)) }
            if let modified = cached.lastModified { request.headers.append(("If-Modified-Since", modified)) }
        }
        let response = await client.send(request)
        lastHops += response.hops
        if let error = response.error {
            if error == .cancelled { return nil }
            return .failure(FetchFailure(text: "\(url): \(error)"))
        }
        if response.status == 304, let cached { return .success((cached.body, false)) }
        guard (200...299).contains(response.status) else { return .failure(FetchFailure(text: "\(url): HTTP \(response.status)")) }
        if response.bodyTooLarge { return .failure(FetchFailure(text: "\(url): body over 16 MiB")) }
        cache[url] = (response.header("etag"), response.header("last-modified"), response.body)
        return .success((response.body, true))
    }

    struct FetchFailure: Error { var text: String }

    /// Status-page bodies are read up to 16 MiB (README, "Configuration").
    static let maxBodyBytes = 16 << 20
}

extension Result where Failure == StatusPageFetcher.FetchFailure {
    var failure: String? {
        if case .failure(let f) = self { return f.text }
        return nil
    }
}
