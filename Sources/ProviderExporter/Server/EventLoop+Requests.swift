/// Requests on a connection: parsed from its buffered input in order,
/// routed, and answered (at once, or by a handler that hands its response
/// back through the mailbox). Loop-confined, like the rest of the loop.
extension EventLoop {
    /// Parses and answers buffered requests in order until one needs more bytes,
    /// waits for a handler, or leaves output that the socket did not take.
    func processInput(_ conn: Connection, now: Double) {
        while conn.state == .reading && !conn.closeAfterWrite {
            if conn.unconsumed.isEmpty { break }
            switch RequestParser.parse(conn.unconsumed, maxHeadBytes: limits.maxHeadBytes) {
            case .incomplete:
                return
            case .failure(let status, let reason):
                logger.debug("rejected request", ["status": status, "reason": reason])
                respond(conn, .text(status, HTTPResponse.reason(status) + ": " + reason), head: false, keepAlive: false, now: now)
            case .head(var request, let headLength):
                let keepAlive = request.keepAlive && !stopping
                let isHead = request.method == "HEAD"
                switch router.lookup(method: request.method, path: request.path) {
                case .notFound:
                    conn.consume(headLength)
                    if request.contentLength > 0 {
                        respond(conn, .text(404, "Not Found"), head: isHead, keepAlive: false, now: now)
                    } else {
                        respond(conn, .text(404, "Not Found"), head: isHead, keepAlive: keepAlive, now: now)
                    }
                case .methodNotAllowed(let allowed):
                    conn.consume(headLength)
                    var response = HTTPResponse.text(405, "Method Not Allowed")
                    response.headers.append(("Allow", allowed.joined(separator: ", ")))
                    respond(conn, response, head: isHead, keepAlive: keepAlive && request.contentLength == 0, now: now)
                case .found(let route):
                    if request.contentLength > 0 && (!route.acceptsBody || request.contentLength > limits.maxBodyBytes) {
                        respond(conn, .text(413, "Content Too Large: request bodies are limited to "
                                + (route.acceptsBody ? "\(limits.maxBodyBytes) bytes" : "none on this route")),
                                head: isHead, keepAlive: false, now: now)
                        break
                    }
                    guard conn.unconsumed.count >= headLength + request.contentLength else { return }
                    let bodyStart = conn.inputStart + headLength
                    request.body = Array(conn.input[bodyStart..<(bodyStart + request.contentLength)])
                    conn.consume(headLength + request.contentLength)
                    dispatch(route, request, conn, head: isHead, keepAlive: keepAlive, now: now)
                }
            }
            flush(conn, now: now)
        }
    }

    func dispatch(_ route: Route, _ request: HTTPRequest, _ conn: Connection, head: Bool, keepAlive: Bool, now: Double) {
        switch route.handler(request) {
        case .now(let response):
            respond(conn, response, head: head, keepAlive: keepAlive, now: now)
        case .later(let work):
            registry.update(conn.fd, phase: .busy, now: now)
            conn.state = .awaitingHandler
            setInterest(conn, 0)
            let (fd, id) = (conn.fd, conn.id)
            Task { [self] in
                let response = await work()
                complete(Completion(fd: fd, connectionID: id, response: response, head: head, keepAlive: keepAlive))
            }
        }
    }

    /// Queues a response; the connection is `.writing` until it is flushed.
    func respond(_ conn: Connection, _ response: HTTPResponse, head: Bool, keepAlive: Bool, now: Double) {
        let keep = keepAlive && !response.close && !stopping
        conn.output.append(response.serializedHead(keepAlive: keep))
        if !head && !response.body.isEmpty { conn.output.append(response.body) }
        if !keep { conn.closeAfterWrite = true }
        conn.state = .writing
        conn.since = now
        registry.update(conn.fd, phase: .busy, now: now)
    }
}
