/// A parsed request head plus its body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent, e.g. `/probe?provider=openai`.
    public var target: String
    /// The percent-decoded path, without the query.
    public var path: String
    /// Query parameters in order, percent- and `+`-decoded.
    public var query: [(name: String, value: String)]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Header fields in order; names lower-cased.
    public var headers: [(name: String, value: String)]
    public var contentLength: Int
    public var body: [UInt8] = []

    /// The first value of a header, by lower-case name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// Whether the client lets the connection stay open after this request.
    public var keepAlive: Bool {
        let tokens = headers.filter { $0.name == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmed() } }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }
}

/// A response; the server adds `Content-Length` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Close the connection after this response (the server also closes when the
    /// client asked to, and after every error it answers while parsing).
    public var close: Bool = false

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], close: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.close = close
    }

    /// A `text/plain` response whose body is `text` and a newline.
    public static func text(_ status: Int, _ text: String, close: Bool = false) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                     body: Array((text + "\n").utf8), close: close)
    }

    /// The head bytes: status line, headers, `Content-Length`, blank line.
    func serializedHead(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
