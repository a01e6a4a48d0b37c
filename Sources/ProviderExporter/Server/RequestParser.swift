/// Parses HTTP/1.1 request heads from raw bytes: pure, no I/O, strict.
///
/// Strict means: CRLF line endings only (a bare LF is 400), no whitespace before
/// a header's colon, no obsolete line folding, exactly one `Host` on HTTP/1.1, one
/// well-formed `Content-Length`, and no `Transfer-Encoding` (no route takes a
/// streamed body: 501, or 400 together with `Content-Length`). A head larger than
/// `maxHeadBytes` is 431 whether or not it is complete.
public enum RequestParser {
    public enum Outcome: Sendable {
        /// More bytes are needed.
        case incomplete
        /// A head, and how many bytes of the buffer it took.
        case head(HTTPRequest, length: Int)
        /// The request is unacceptable; answer `status` and close.
        case failure(status: Int, reason: String)
    }

    public static let defaultMaxHeadBytes = 16 * 1024

    public static func parse(_ buffer: ArraySlice<UInt8>, maxHeadBytes: Int = defaultMaxHeadBytes) -> Outcome {
        var start = buffer.startIndex
        // RFC 9112 2.2: ignore empty lines before the request line.
        while buffer.endIndex - start >= 2, buffer[start] == CR, buffer[start + 1] == LF { start += 2 }
        guard let end = headEnd(buffer, from: start, limit: maxHeadBytes) else {
            if buffer.endIndex - start > maxHeadBytes { return .failure(status: 431, reason: "request head too large") }
            if let bad = bareLF(buffer[start...]) { return .failure(status: 400, reason: "bare LF at byte \(bad - start)") }
            return .incomplete
        }
        if case .failure(let status, let reason) = end { return .failure(status: status, reason: reason) }
        guard case .found(let headEnd) = end else { return .incomplete }
        let lines = splitLines(buffer[start..<headEnd])
        guard let requestLine = lines.first else { return .failure(status: 400, reason: "empty request") }
        var request: HTTPRequest
        switch parseRequestLine(requestLine) {
        case .success(let parsed): request = parsed
        case .failure(let f): return .failure(status: f.status, reason: f.reason)
        }
        var hosts = 0
        var lengths: [Int] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                return .failure(status: 400, reason: "malformed header line")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(HTTPSyntax.isTokenByte) else { return .failure(status: 400, reason: "invalid header name") }
            var value = line[(colon + 1)...]
            while let f = value.first, f == SP || f == HT { value = value.dropFirst() }
            while let l = value.last, l == SP || l == HT { value = value.dropLast() }
            guard value.allSatisfy({ $0 == HT || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(status: 400, reason: "control character in header value")
            }
            let lowerName = String(decoding: name, as: UTF8.self).lowercased()
            let valueText = String(decoding: value, as: UTF8.self)
            switch lowerName {
            case "host": hosts += 1
            case "content-length":
                guard !valueText.isEmpty, valueText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    return .failure(status: 400, reason: "invalid Content-Length")
                }
                // Anything that does not fit is certainly too large.
                lengths.append(valueText.count > 15 ? Int.max : Int(valueText)!)
            default: break
            }
            request.headers.append((lowerName, valueText))
        }
        if lengths.count > 1 { return .failure(status: 400, reason: "more than one Content-Length") }
        if request.headers.contains(where: { $0.name == "transfer-encoding" }) {
            return lengths.isEmpty
                ? .failure(status: 501, reason: "Transfer-Encoding request bodies are not supported")
                : .failure(status: 400, reason: "Transfer-Encoding together with Content-Length")
        }
        if request.minorVersion >= 1 && hosts != 1 {
            return .failure(status: 400, reason: hosts == 0 ? "missing Host header" : "more than one Host header")
        }
        request.contentLength = lengths.first ?? 0
        return .head(request, length: headEnd + 4 - buffer.startIndex)
    }

    // MARK: - Pieces

    static let CR = UInt8(ascii: "\r"), LF = UInt8(ascii: "\n"), SP = UInt8(ascii: " "), HT = UInt8(ascii: "\t")

    enum HeadEnd { case found(Int), failure(Int, String) }

    /// The index of the CRLFCRLF ending the head, if it lies within `limit` bytes;
    /// a bare LF before it is a failure.
    static func headEnd(_ buffer: ArraySlice<UInt8>, from start: Int, limit: Int) -> HeadEnd? {
        var i = start
        let end = min(buffer.endIndex, start + limit + 4)
        while i < end {
            if buffer[i] == LF {
                if i == start || buffer[i - 1] != CR { return .failure(400, "bare LF at byte \(i - start)") }
                if i - start >= 3, buffer[i - 2] == LF, buffer[i - 3] == CR {
                    let headEnd = i - 3
                    if headEnd + 4 - start > limit { return .failure(431, "request head too large") }
                    return .found(headEnd)
                }
            }
            i += 1
        }
        return nil
    }

    static func bareLF(_ buffer: ArraySlice<UInt8>) -> Int? {
        var previous: UInt8 = 0
        for i in buffer.indices {
            if buffer[i] == LF && previous != CR { return i }
            previous = buffer[i]
        }
        return nil
    }

    /// Splits on CRLF; the head has been checked to hold no bare LF.
    static func splitLines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == CR, i + 1 < head.endIndex, head[i + 1] == LF {
                lines.append(head[lineStart..<i])
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        lines.append(head[lineStart..<head.endIndex])
        return lines
    }

    struct LineFailure: Error { var status: Int; var reason: String }

    static func parseRequestLine(_ line: ArraySlice<UInt8>) -> Result<HTTPRequest, LineFailure> {
        let parts = line.split(separator: SP, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(LineFailure(status: 400, reason: "malformed request line")) }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        guard !method.isEmpty, method.allSatisfy(HTTPSyntax.isTokenByte) else {
            return .failure(LineFailure(status: 400, reason: "invalid method"))
        }
        guard let first = target.first, first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(LineFailure(status: 400, reason: "invalid request target"))
        }
        let versionText = String(decoding: version, as: UTF8.self)
        let minor: Int
        switch versionText {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            let shaped = versionText.count == 8 && versionText.hasPrefix("HTTP/")
                && versionText.utf8.dropFirst(5).enumerated().allSatisfy { i, c in
                    i == 1 ? c == UInt8(ascii: ".") : (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                }
            return .failure(LineFailure(status: shaped ? 505 : 400, reason: "unsupported version \(versionText)"))
        }
        let targetText = String(decoding: target, as: UTF8.self)
        let pathPart: Substring
        var query: [(name: String, value: String)] = []
        if let q = targetText.firstIndex(of: "?") {
            pathPart = targetText[..<q]
            for pair in targetText[targetText.index(after: q)...].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = percentDecode(kv[0], plusIsSpace: true),
                      let value = percentDecode(kv.count > 1 ? kv[1] : "", plusIsSpace: true) else {
                    return .failure(LineFailure(status: 400, reason: "invalid percent-encoding in query"))
                }
                query.append((name, value))
            }
        } else {
            pathPart = targetText[...]
        }
        guard let path = percentDecode(pathPart, plusIsSpace: false) else {
            return .failure(LineFailure(status: 400, reason: "invalid percent-encoding in path"))
        }
        return .success(HTTPRequest(method: String(decoding: method, as: UTF8.self), target: targetText, path: path,
                                    query: query, minorVersion: minor, headers: [], contentLength: 0))
    }

    /// Decodes `%XX` escapes; nil on a malformed escape or invalid UTF-8.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard let h = it.popFirst(), let l = it.popFirst(), let hi = hexValue(h), let lo = hexValue(l) else { return nil }
                bytes.append(hi << 4 | lo)
            } else if c == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(SP)
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
