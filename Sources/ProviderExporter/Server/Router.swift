/// What a handler gives back: a response now, or work whose response the server
/// sends when it finishes (the connection answers nothing else meanwhile, so
/// pipelined requests stay in order).
public enum RouteReply: Sendable {
    case now(HTTPResponse)
    case later(@Sendable () async -> HTTPResponse)
}

/// One path and the methods it answers. `GET` routes answer `HEAD` too.
public struct Route: Sendable {
    public let path: String
    public let methods: [String]
    /// Whether requests may carry a body (up to the server's limit); if not, any
    /// body is answered with 413.
    public let acceptsBody: Bool
    public let handler: @Sendable (HTTPRequest) -> RouteReply

    public init(_ path: String, methods: [String] = ["GET"], acceptsBody: Bool = false,
                handler: @escaping @Sendable (HTTPRequest) -> RouteReply) {
        self.path = path
        self.methods = methods.contains("GET") && !methods.contains("HEAD") ? methods + ["HEAD"] : methods
        self.acceptsBody = acceptsBody
        self.handler = handler
    }
}

/// The route table. The server core knows nothing of what the routes do; later
/// features add routes here, not to the server.
public struct Router: Sendable {
    public enum Lookup {
        case found(Route)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var routes: [String: Route] = [:]

    public init(_ routes: [Route] = []) {
        for route in routes { add(route) }
    }

    public mutating func add(_ route: Route) {
        precondition(routes[route.path] == nil, "duplicate route \(route.path)")
        routes[route.path] = route
    }

    public func lookup(method: String, path: String) -> Lookup {
        guard let route = routes[path] else { return .notFound }
        guard route.methods.contains(method) else { return .methodNotAllowed(allowed: route.methods) }
        return .found(route)
    }
}
