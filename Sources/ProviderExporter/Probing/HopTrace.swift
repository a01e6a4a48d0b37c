/// One HTTP exchange of a probe as the debug report shows it
/// (`/probe?debug=true`): the request line and headers, the response status
/// and headers, and the start of the body. Secret header values (the API key,
/// `secret_headers_env`) are never kept: they read `<secret>`. What came from
/// the network may still echo a key: the report applies the provider's
/// `Redaction` to every text (`redacted(by:)`) when it renders, so probes that
/// nobody reads cost no redaction.
public struct HopTrace: Sendable {
    public var method: String
    public var url: String
    public var requestHeaders: [(name: String, value: String)]
    /// 0 when no response arrived.
    public var status: Int
    public var responseHeaders: [(name: String, value: String)]
    /// The first `bodyPrefixLimit` bytes of the body.
    public var bodyPrefix: [UInt8]
    /// The whole body's size in bytes (as received; capped bodies are flagged).
    public var bodySize: Int
    public var error: String?

    /// How much of a body a trace keeps.
    public static let bodyPrefixLimit = 2048

    /// The trace of `request` answered by `response` (one hop).
    init(_ request: ClientRequest, userAgent: String, _ response: ClientResponse) {
        method = request.method
        url = request.url
        requestHeaders = [("User-Agent", userAgent)] + request.headers.map { ($0.name, $0.value) }
            + request.secretHeaders.map { ($0.name, "<secret>") }
        status = response.status
        responseHeaders = response.headers
        bodyPrefix = Array(response.body.prefix(Self.bodyPrefixLimit))
        bodySize = response.body.count
        error = response.error.map(\.description)
    }

    /// The same trace with every text that came from the network or the
    /// config passed through `redaction`; the body as text.
    func redacted(by redaction: Redaction) -> (trace: HopTrace, body: String) {
        var t = self
        t.url = redaction.apply(url)
        t.requestHeaders = requestHeaders.map { ($0.name, redaction.apply($0.value)) }
        t.responseHeaders = responseHeaders.map { ($0.name, redaction.apply($0.value)) }
        t.error = error.map(redaction.apply)
        return (t, redaction.apply(String(decoding: bodyPrefix, as: UTF8.self)))
    }
}
