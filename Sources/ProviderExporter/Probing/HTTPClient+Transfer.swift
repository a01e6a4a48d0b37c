import CCurl
import Glibc

extension HTTPClient {
    /// One easy handle and what it collects. Created on the caller's thread,
    /// then touched only by the probe thread until `finish` resumes the caller.
    final class Transfer: @unchecked Sendable {
        let request: ClientRequest
        let timeout: Double
        let userAgent: String
        var continuation: CheckedContinuation<ClientResponse, Never>?
        /// Set by `Engine.cancel` under the engine's inbox lock; read there too.
        var cancelRequested = false
        var easy: UnsafeMutableRawPointer?
        var lists: [UnsafeMutablePointer<pe_curl_slist>] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        var body: [UInt8] = []
        var tooLarge = false
        var headerLines: [(name: String, value: String)] = []
        var startedAt = 0.0
        var arrivals: [(end: Int, at: Double)] = []
        /// Reads the start, each chunk's arrival and the finish.
        let clock: any TimeSource

        init(request: ClientRequest, timeout: Double, userAgent: String, clock: any TimeSource) {
            self.request = request
            self.timeout = timeout
            self.userAgent = userAgent
            self.clock = clock
        }

        /// Keeps a C string alive for the transfer (curl copies most, not all).
        func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
            let p = strdup(s)!
            strings.append(p)
            return p
        }

        func list(_ items: [String]) -> UnsafeMutablePointer<pe_curl_slist>? {
            var list: UnsafeMutablePointer<pe_curl_slist>? = nil
            for item in items { list = pe_curl_slist_append(list, item) }
            if let list { lists.append(list) }
            return list
        }

        /// Configures the easy handle; nil (after finishing) if curl refused.
        func start() -> UnsafeMutableRawPointer? {
            guard let easy = pe_curl_easy_init() else {
                finish(code: -2)
                return nil
            }
            self.easy = easy
            startedAt = clock.monotonic()
            let ms = max(1, Int(timeout * 1000))
            var url = request.url
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_NOSIGNAL), 1)
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_PROTOCOLS_STR), cString("http,https"))
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_TIMEOUT_MS), ms)
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_CONNECTTIMEOUT_MS), ms)
            // A body trickling under 1 byte/s for the whole timeout is cut off
            // even if a clock jump fooled the total timeout.
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_LOW_SPEED_LIMIT), 1)
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_LOW_SPEED_TIME), max(1, Int(timeout.rounded(.up))))
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_TCP_NODELAY), 1)
            pe_curl_setopt_long(easy, Int32(PE_CURLOPT_FOLLOWLOCATION), 0)
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_USERAGENT), cString(userAgent))
            if !request.reuseConnections {
                // Each probe measures DNS, TCP and TLS afresh, as blackbox_exporter does.
                pe_curl_setopt_long(easy, Int32(PE_CURLOPT_FRESH_CONNECT), 1)
                pe_curl_setopt_long(easy, Int32(PE_CURLOPT_FORBID_REUSE), 1)
                pe_curl_setopt_long(easy, Int32(PE_CURLOPT_DNS_CACHE_TIMEOUT), 0)
            }
            if let tls = request.tls {
                if let ca = tls.caFile { pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_CAINFO), cString(ca)) }
                if tls.insecureSkipVerify {
                    pe_curl_setopt_long(easy, Int32(PE_CURLOPT_SSL_VERIFYPEER), 0)
                    pe_curl_setopt_long(easy, Int32(PE_CURLOPT_SSL_VERIFYHOST), 0)
                }
                if let name = tls.serverName, let parts = URLParts(url) {
                    // Verify (and send SNI for) `name`, but connect where the URL points.
                    pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_CONNECT_TO),
                                       list(["\(name):\(parts.port):\(parts.host):\(parts.port)"]))
                    url = parts.replacingHost(with: name)
                }
            }
            if url.lowercased().hasPrefix("https://") { pe_curl_setopt_long(easy, Int32(PE_CURLOPT_CERTINFO), 1) }
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_URL), cString(url))
            switch request.method {
            case "GET": pe_curl_setopt_long(easy, Int32(PE_CURLOPT_HTTPGET), 1)
            case "HEAD": pe_curl_setopt_long(easy, Int32(PE_CURLOPT_NOBODY), 1)
            default: pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_CUSTOMREQUEST), cString(request.method))
            }
            if let body = request.body {
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, body.count))
                body.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { copy.initialize(from: base.assumingMemoryBound(to: CChar.self), count: body.count) }
                }
                strings.append(copy)
                pe_curl_setopt_long(easy, Int32(PE_CURLOPT_POSTFIELDSIZE), body.count)
                pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_POSTFIELDS), copy)
            }
            var headerLines = request.headers.map { "\($0.name): \($0.value)" }
            headerLines += request.secretHeaders.map { "\($0.name): \($0.value.revealed)" }
            headerLines.append("Expect:") // no 100-continue round trip
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_HTTPHEADER), list(headerLines))

            let me = Unmanaged.passUnretained(self).toOpaque()
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_WRITEDATA), me)
            pe_curl_setopt_callback(easy, Int32(PE_CURLOPT_WRITEFUNCTION)) { data, size, count, user in
                let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
                let n = size * count
                if t.body.count + n > t.request.maxBodyBytes {
                    t.tooLarge = true
                    return 0 // aborts the transfer with CURLE_WRITE_ERROR
                }
                if let data { t.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
                if t.request.recordChunkArrivals { t.arrivals.append((t.body.count, t.clock.monotonic())) }
                return n
            }
            pe_curl_setopt_ptr(easy, Int32(PE_CURLOPT_HEADERDATA), me)
            pe_curl_setopt_callback(easy, Int32(PE_CURLOPT_HEADERFUNCTION)) { data, size, count, user in
                let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
                let n = size * count
                guard let data else { return n }
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
                if line.hasPrefix("HTTP/") {
                    t.headerLines.removeAll() // a new response (after 1xx) starts
                } else if let colon = line.firstIndex(of: ":") {
                    let name = String(line[..<colon])
                    let value = String(line[line.index(after: colon)...]).trimmed(" \t\r\n")
                    if t.headerLines.count < 200 { t.headerLines.append((name, value)) }
                }
                return n
            }
            return easy
        }

        /// Collects the result, frees the handle and resumes the caller once.
        /// `code` is a CURLcode, -1 for cancelled, -2 for no handle.
        func finish(code: Int32) {
            var response = ClientResponse()
            response.finishedAt = clock.monotonic()
            response.startedAt = easy == nil ? response.finishedAt : startedAt
            if let easy {
                var status = 0
                pe_curl_getinfo_long(easy, Int32(PE_CURLINFO_RESPONSE_CODE), &status)
                response.status = status
                response.phases = Self.phases(easy)
                var location: UnsafePointer<CChar>? = nil
                if pe_curl_getinfo_string(easy, Int32(PE_CURLINFO_REDIRECT_URL), &location) == 0, let location {
                    response.location = String(cString: location)
                }
                response.certificateExpiry = Self.earliestExpiry(easy)
                pe_curl_easy_cleanup(easy)
                self.easy = nil
            }
            for l in lists { pe_curl_slist_free_all(l) }
            for s in strings { free(s) }
            lists.removeAll()
            strings.removeAll()
            response.headers = headerLines
            response.body = body
            response.chunkArrivals = arrivals
            response.bodyTooLarge = tooLarge
            response.error = Self.error(code: code, tooLarge: tooLarge, hadResponse: response.status != 0)
            continuation?.resume(returning: response)
            continuation = nil
        }

        static func phases(_ easy: UnsafeMutableRawPointer) -> PhaseTimings {
            func t(_ info: Int32) -> Double {
                var us: Int64 = 0
                pe_curl_getinfo_off(easy, info, &us)
                return Double(us) / 1e6
            }
            let dns = t(Int32(PE_CURLINFO_NAMELOOKUP_TIME_T)), connect = t(Int32(PE_CURLINFO_CONNECT_TIME_T))
            let app = t(Int32(PE_CURLINFO_APPCONNECT_TIME_T)), pre = t(Int32(PE_CURLINFO_PRETRANSFER_TIME_T))
            let first = t(Int32(PE_CURLINFO_STARTTRANSFER_TIME_T)), total = t(Int32(PE_CURLINFO_TOTAL_TIME_T))
            var p = PhaseTimings()
            p.resolve = dns
            p.connect = max(0, connect - dns)
            p.tls = app > 0 ? max(0, app - connect) : 0
            p.processing = first > 0 ? max(0, first - max(pre, app, connect)) : 0
            p.transfer = first > 0 ? max(0, total - first) : 0
            return p
        }

        static func earliestExpiry(_ easy: UnsafeMutableRawPointer) -> Double? {
            var info: UnsafeMutablePointer<pe_curl_certinfo>? = nil
            guard pe_curl_getinfo_certinfo(easy, &info) == 0, let info, info.pointee.num_of_certs > 0,
                  let certs = info.pointee.certinfo else { return nil }
            var earliest: Double? = nil
            for i in 0..<Int(info.pointee.num_of_certs) {
                var node = certs[i]
                while let n = node {
                    if let data = n.pointee.data {
                        let line = String(cString: data)
                        if line.hasPrefix("Expire date:"), let t = Dates.certificate(String(line.dropFirst(12))) {
                            earliest = min(earliest ?? t, t)
                        }
                    }
                    node = n.pointee.next
                }
            }
            return earliest
        }

        static func error(code: Int32, tooLarge: Bool, hadResponse: Bool) -> TransportError? {
            switch code {
            case Int32(PE_CURLE_OK): return nil
            case -1: return .cancelled
            case -2: return .other("libcurl could not create a handle")
            case Int32(PE_CURLE_WRITE_ERROR) where tooLarge: return nil // flagged, classified from the status
            case Int32(PE_CURLE_OPERATION_TIMEDOUT): return .timeout
            case Int32(PE_CURLE_COULDNT_RESOLVE_HOST), Int32(PE_CURLE_COULDNT_RESOLVE_PROXY):
                return .dns(Self.text(code))
            case Int32(PE_CURLE_SSL_CONNECT_ERROR), Int32(PE_CURLE_PEER_FAILED_VERIFICATION),
                 Int32(PE_CURLE_SSL_CERTPROBLEM), Int32(PE_CURLE_SSL_CIPHER),
                 Int32(PE_CURLE_SSL_CACERT_BADFILE), Int32(PE_CURLE_SSL_ISSUER_ERROR),
                 Int32(PE_CURLE_SSL_PINNEDPUBKEYNOTMATCH), Int32(PE_CURLE_SSL_INVALIDCERTSTATUS):
                return .tls(Self.text(code))
            default:
                return .connect(Self.text(code))
            }
        }

        static func text(_ code: Int32) -> String { String(cString: pe_curl_easy_strerror(code)) }
    }
}
