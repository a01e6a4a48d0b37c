/// The YAML subset's scanner: positions, lines, and scalars (plain and
/// quoted), over the document's bytes. `YAMLParser+Structure.swift` builds
/// the node tree on top of it.
extension YAMLParser {
    struct Scanner {
        let b: [UInt8]
        var i = 0
        var lineStarts: [Int] = [0]

        init(_ bytes: [UInt8]) {
            b = bytes
            for (k, c) in bytes.enumerated() where c == 10 { lineStarts.append(k + 1) }
        }

        // MARK: Positions

        func mark(_ at: Int) -> (line: Int, column: Int) {
            var lo = 0, hi = lineStarts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= at { lo = mid } else { hi = mid - 1 }
            }
            return (lo + 1, at - lineStarts[lo] + 1)
        }

        func fail(_ message: String, at: Int? = nil) -> YAMLError {
            let m = mark(at ?? i)
            return YAMLError(line: m.line, column: m.column, message: message)
        }

        func node(_ kind: YAMLNode.Kind, at: Int) -> YAMLNode {
            let m = mark(at)
            return YAMLNode(kind: kind, line: m.line, column: m.column)
        }

        var atEnd: Bool { i >= b.count }
        func peek(_ k: Int = 0) -> UInt8? { i + k < b.count ? b[i + k] : nil }
        func isBlank(_ c: UInt8?) -> Bool { c == nil || c == 32 || c == 9 || c == 10 || c == 13 }
        /// Column (0-based) of position `at` within its line.
        func indent(of at: Int) -> Int { at - lineStarts[mark(at).line - 1] }

        // MARK: Lines

        /// Skips spaces and tabs (not newlines).
        mutating func skipSpaces() {
            while let c = peek(), c == 32 || c == 9 { i += 1 }
        }

        /// After content on a line: optional spaces and comment, then newline or end.
        mutating func endOfLine() throws(YAMLError) {
            skipSpaces()
            if peek() == UInt8(ascii: "#") { while let c = peek(), c != 10 { i += 1 } }
            if peek() == 13 { i += 1 }
            if let c = peek() {
                guard c == 10 else { throw fail("unexpected content after value") }
                i += 1
            }
        }

        /// Moves to the first content character of the next non-blank,
        /// non-comment line; returns its column, or nil at the end.
        mutating func nextContent() throws(YAMLError) -> Int? {
            while !atEnd {
                while let c = peek(), c == 32 { i += 1 }
                if peek() == 9 {
                    // A tab is fine on a blank or comment line, never as indentation.
                    var j = i
                    while j < b.count, b[j] == 32 || b[j] == 9 { j += 1 }
                    if j < b.count, b[j] != 10, b[j] != 13, b[j] != UInt8(ascii: "#") {
                        throw fail("tabs are not allowed in indentation")
                    }
                    i = j
                }
                switch peek() {
                case nil: return nil
                case 10?: i += 1
                case 13?: i += 1
                case UInt8(ascii: "#")?: while let c = peek(), c != 10 { i += 1 }
                // Also right when a nested block already stopped on this content.
                default: return indent(of: i)
                }
            }
            return nil
        }

        // MARK: Document
    }
}

extension YAMLParser.Scanner {
    /// A scalar or flow collection within one line (flow collections may span lines).
    mutating func inlineValue() throws(YAMLError) -> YAMLNode {
        switch peek() {
        case UInt8(ascii: "[")?, UInt8(ascii: "{")?: return try flow()
        case UInt8(ascii: "\"")?, UInt8(ascii: "'")?: return try quoted()
        default: return try plain(flow: false)
        }
    }

    // MARK: Scalars

    mutating func rejectIndicator() throws(YAMLError) {
        switch peek() {
        case UInt8(ascii: "&")?: throw fail("anchors (&) are not supported")
        case UInt8(ascii: "*")?: throw fail("aliases (*) are not supported")
        case UInt8(ascii: "!")?: throw fail("tags (!) are not supported")
        case UInt8(ascii: "|")?, UInt8(ascii: ">")?: throw fail("block scalars (| and >) are not supported")
        case UInt8(ascii: "@")?, UInt8(ascii: "`")?: throw fail("'\(Character(Unicode.Scalar(peek()!)))' cannot start a plain scalar")
        case UInt8(ascii: "%")?: throw fail("'%' cannot start a plain scalar")
        default: break
        }
    }

    /// A plain scalar; in flow context it also ends at `,[]{}`.
    mutating func plain(flow: Bool) throws(YAMLError) -> YAMLNode {
        try rejectIndicator()
        let start = i
        if flow, let c = peek(), ",[]{}".utf8.contains(c) { throw fail("expected a value") }
        if let c = peek(), (c == UInt8(ascii: "-") || c == UInt8(ascii: "?") || c == UInt8(ascii: ":")), isBlank(peek(1)), !flow || c != UInt8(ascii: "-") {
            throw fail("unexpected '\(Character(Unicode.Scalar(c)))'")
        }
        var end = i
        while let c = peek(), c != 10, c != 13 {
            if c == UInt8(ascii: ":") {
                let next = peek(1)
                if isBlank(next) || (flow && next.map { ",[]{}".utf8.contains($0) } == true) { break }
            }
            if c == UInt8(ascii: "#") && i > start && (b[i - 1] == 32 || b[i - 1] == 9) { break }
            if flow && ",[]{}".utf8.contains(c) { break }
            i += 1
            if c != 32 && c != 9 { end = i }
        }
        let text = String(decoding: b[start..<end], as: UTF8.self)
        i = end
        return node(.scalar(text, quoted: false), at: start)
    }

    mutating func quoted() throws(YAMLError) -> YAMLNode {
        let start = i
        let quote = b[i]
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek(), c != 10, c != 13 else {
                throw fail("unterminated quoted string (quoted scalars must end on their line)", at: start)
            }
            i += 1
            if quote == UInt8(ascii: "'") {
                if c == quote {
                    if peek() == quote { out.append(quote); i += 1; continue }
                    break
                }
                out.append(c)
                continue
            }
            if c == quote { break }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard let e = peek() else { throw fail("unterminated escape") }
            i += 1
            switch e {
            case UInt8(ascii: "0"): out.append(0)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "t"), 9: out.append(9)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "e"): out.append(27)
            case UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard i + count <= b.count, let v = UInt32(String(decoding: b[i..<(i + count)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(v) else { throw fail("invalid \\\(Character(Unicode.Scalar(e))) escape", at: i - 2) }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i += count
            default:
                throw fail("unknown escape '\\\(Character(Unicode.Scalar(e)))'", at: i - 2)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string", at: start) }
        return node(.scalar(text, quoted: true), at: start)
    }

    // MARK: Flow context
}
