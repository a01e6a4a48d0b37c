/// A node of the strict YAML subset of SPEC section 4, with where it starts.
///
/// The subset: block mappings and sequences (including `- key: value` compact
/// mappings), flow sequences and mappings (nested, across lines), plain,
/// single- and double-quoted scalars on one line, comments, and one optional
/// leading `---`. Anchors, aliases, tags, block scalars, directives, complex
/// keys, multi-line scalars, further documents and tabs in indentation are
/// errors naming line and column. Scalars stay text here; `YAMLNode.resolved`
/// applies the YAML 1.2 core schema.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// `quoted` scalars are always strings; plain ones go through the core schema.
        case scalar(String, quoted: Bool)
        case mapping([(key: YAMLNode, value: YAMLNode)])
        case sequence([YAMLNode])
    }

    public var kind: Kind
    /// 1-based line and column (in bytes) of the node's first character.
    public var line: Int
    public var column: Int

    /// The YAML 1.2 core schema's reading of a scalar.
    public enum Resolved: Equatable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    /// nil for collections.
    public var resolved: Resolved? {
        guard case .scalar(let text, let quoted) = kind else { return nil }
        if quoted { return .string(text) }
        return YAMLNode.resolve(plain: text)
    }

    static func resolve(plain text: String) -> Resolved {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        let bytes = Array(text.utf8)
        func digits(_ s: ArraySlice<UInt8>, _ ok: (UInt8) -> Bool) -> Bool { !s.isEmpty && s.allSatisfy(ok) }
        let isDigit = { (c: UInt8) in c >= 48 && c <= 57 }
        if text.hasPrefix("0o"), digits(bytes.dropFirst(2), { $0 >= 48 && $0 <= 55 }), let v = Int(text.dropFirst(2), radix: 8) {
            return .int(v)
        }
        if text.hasPrefix("0x"), digits(bytes.dropFirst(2), { isDigit($0) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }),
           let v = Int(text.dropFirst(2), radix: 16) {
            return .int(v)
        }
        var body = bytes[...]
        if let f = body.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { body = body.dropFirst() }
        if digits(body, isDigit) {
            if let v = Int(text) { return .int(v) }
            return .float(Double(text) ?? .infinity) // an integer too large for Int
        }
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var i = body.startIndex
        var mantissaDigits = 0
        while i < body.endIndex, isDigit(body[i]) { i += 1; mantissaDigits += 1 }
        if i < body.endIndex, body[i] == UInt8(ascii: ".") {
            i += 1
            while i < body.endIndex, isDigit(body[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return .string(text) }
        if i < body.endIndex, body[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < body.endIndex, body[i] == UInt8(ascii: "-") || body[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < body.endIndex, isDigit(body[i]) { i += 1 }
            guard i > expStart else { return .string(text) }
        }
        guard i == body.endIndex, let v = Double(text) else { return .string(text) }
        return .float(v)
    }
}

/// A syntax error in the YAML subset.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(line):\(column): \(message)" }
}

/// The parser. Pure: bytes in, a node tree or the first error out.
public enum YAMLParser {
    /// Parses one document. An empty document is a null scalar at 1:1.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        var scanner = Scanner(Array(text.utf8))
        return try scanner.document()
    }

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

        mutating func document() throws(YAMLError) -> YAMLNode {
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
            guard var column = try nextContent() else { return node(.scalar("", quoted: false), at: 0) }
            if peek() == UInt8(ascii: "%") { throw fail("directives (%) are not supported") }
            if isDocumentMarker("---") {
                i += 3
                try endOfLine()
                guard let c = try nextContent() else { return node(.scalar("", quoted: false), at: i) }
                column = c
            }
            let root = try block(indent: column)
            if try nextContent() != nil {
                if isDocumentMarker("---") || isDocumentMarker("...") {
                    throw fail("only one document is supported")
                }
                throw fail("unexpected content (is the indentation right?)")
            }
            return root
        }

        func isDocumentMarker(_ marker: String) -> Bool {
            indent(of: i) == 0 && b[i...].starts(with: marker.utf8) && isBlank(peek(3))
        }

        // MARK: Block context

        /// A block node whose first content is at the current position, column `indent`.
        mutating func block(indent: Int) throws(YAMLError) -> YAMLNode {
            if peek() == UInt8(ascii: "?") && isBlank(peek(1)) { throw fail("complex keys (?) are not supported") }
            if peek() == UInt8(ascii: "-") && isBlank(peek(1)) { return try sequence(indent: indent) }
            if try isMappingKey() { return try mapping(indent: indent) }
            let value = try inlineValue()
            try endOfLine()
            return value
        }

        /// Whether the current line starts a `key:` entry.
        mutating func isMappingKey() throws(YAMLError) -> Bool {
            let saved = i
            defer { i = saved }
            switch peek() {
            case UInt8(ascii: "\"")?, UInt8(ascii: "'")?:
                _ = try quoted()
                skipSpaces()
                return peek() == UInt8(ascii: ":") && isBlank(peek(1))
            case UInt8(ascii: "[")?, UInt8(ascii: "{")?:
                return false
            default:
                while let c = peek(), c != 10 {
                    if c == UInt8(ascii: ":") && isBlank(peek(1)) { return true }
                    if c == UInt8(ascii: "#") && i > saved && (b[i - 1] == 32 || b[i - 1] == 9) { return false }
                    i += 1
                }
                return false
            }
        }

        mutating func mapping(indent: Int) throws(YAMLError) -> YAMLNode {
            let start = i
            var entries: [(key: YAMLNode, value: YAMLNode)] = []
            var seen: Set<String> = []
            while true {
                if peek() == UInt8(ascii: "?") && isBlank(peek(1)) { throw fail("complex keys (?) are not supported") }
                if peek() == UInt8(ascii: "-") && isBlank(peek(1)) {
                    throw fail("a sequence item where a mapping key was expected")
                }
                guard try isMappingKey() else { throw fail("expected 'key: value'") }
                let keyStart = i
                let key: YAMLNode
                if peek() == UInt8(ascii: "\"") || peek() == UInt8(ascii: "'") {
                    key = try quoted()
                    skipSpaces()
                } else {
                    key = try plain(flow: false)
                }
                guard case .scalar(let keyText, _) = key.kind else { throw fail("invalid key", at: keyStart) }
                if !seen.insert(keyText).inserted { throw fail("duplicate key '\(keyText)'", at: keyStart) }
                i += 1 // the colon
                let value = try valueAfterIndicator(parentIndent: indent, allowSequenceAtSameIndent: true)
                entries.append((key, value))
                guard let next = try nextContent() else { break }
                if next < indent { break }
                if next > indent { throw fail("unexpected indentation") }
                if isDocumentMarker("---") || isDocumentMarker("...") { break }
            }
            return node(.mapping(entries), at: start)
        }

        mutating func sequence(indent: Int) throws(YAMLError) -> YAMLNode {
            let start = i
            var items: [YAMLNode] = []
            while true {
                guard peek() == UInt8(ascii: "-"), isBlank(peek(1)) else {
                    throw fail("expected a sequence item ('- ')")
                }
                i += 1
                items.append(try valueAfterIndicator(parentIndent: indent, allowSequenceAtSameIndent: false))
                guard let next = try nextContent() else { break }
                if next < indent { break }
                if next > indent { throw fail("unexpected indentation") }
                if isDocumentMarker("---") || isDocumentMarker("...") { break }
                // A mapping key at the sequence's own indent ends the sequence
                // (`key:\n- a\nother: b`); the caller continues the mapping.
                if !(peek() == UInt8(ascii: "-") && isBlank(peek(1))) { break }
            }
            return node(.sequence(items), at: start)
        }

        /// The value after `key:` or `- `: inline on this line, or a block on the
        /// following lines. Leaves the position at the start of the next line.
        mutating func valueAfterIndicator(parentIndent: Int, allowSequenceAtSameIndent: Bool) throws(YAMLError) -> YAMLNode {
            skipSpaces()
            let here = i
            if atEnd || peek() == 10 || peek() == 13 || peek() == UInt8(ascii: "#") {
                try endOfLine()
                let saved = i
                guard let column = try nextContent() else { return node(.scalar("", quoted: false), at: here) }
                if column > parentIndent { return try block(indent: column) }
                if column == parentIndent && allowSequenceAtSameIndent && peek() == UInt8(ascii: "-") && isBlank(peek(1)) {
                    return try sequence(indent: column)
                }
                i = saved
                return node(.scalar("", quoted: false), at: here)
            }
            // Inline: a nested sequence item or compact mapping starts a block at this column.
            let column = indent(of: i)
            if peek() == UInt8(ascii: "-") && isBlank(peek(1)) {
                if allowSequenceAtSameIndent { throw fail("a block sequence cannot start on the line of its key") }
                return try sequence(indent: column)
            }
            if !allowSequenceAtSameIndent, try isMappingKey() { return try mapping(indent: column) }
            let value = try inlineValue()
            try endOfLine()
            return value
        }

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

        /// Skips spaces, newlines and comments inside a flow collection.
        mutating func skipFlowSpace() throws(YAMLError) {
            while let c = peek() {
                if c == 32 || c == 9 || c == 10 || c == 13 { i += 1; continue }
                if c == UInt8(ascii: "#") && (i == 0 || isBlank(b[i - 1])) {
                    while let d = peek(), d != 10 { i += 1 }
                    continue
                }
                break
            }
        }

        mutating func flow() throws(YAMLError) -> YAMLNode {
            let start = i
            let isSequence = b[i] == UInt8(ascii: "[")
            let close = isSequence ? UInt8(ascii: "]") : UInt8(ascii: "}")
            i += 1
            var items: [YAMLNode] = []
            var entries: [(key: YAMLNode, value: YAMLNode)] = []
            var seen: Set<String> = []
            while true {
                try skipFlowSpace()
                guard let c = peek() else { throw fail("unterminated flow collection", at: start) }
                if c == close { i += 1; break }
                let item: YAMLNode
                switch c {
                case UInt8(ascii: "["), UInt8(ascii: "{"): item = try flow()
                case UInt8(ascii: "\""), UInt8(ascii: "'"): item = try quoted()
                default: item = try plain(flow: true)
                }
                try skipFlowSpace()
                if isSequence {
                    if peek() == UInt8(ascii: ":") { throw fail("mappings inside [] need braces: [{k: v}]") }
                    items.append(item)
                } else {
                    guard case .scalar(let keyText, _) = item.kind else { throw fail("flow mapping keys must be scalars") }
                    var value = node(.scalar("", quoted: false), at: i)
                    if peek() == UInt8(ascii: ":") {
                        i += 1
                        try skipFlowSpace()
                        switch peek() {
                        case UInt8(ascii: "[")?, UInt8(ascii: "{")?: value = try flow()
                        case UInt8(ascii: "\"")?, UInt8(ascii: "'")?: value = try quoted()
                        case UInt8(ascii: ",")?, close?: break
                        case nil: throw fail("unterminated flow collection", at: start)
                        default: value = try plain(flow: true)
                        }
                        try skipFlowSpace()
                    }
                    if !seen.insert(keyText).inserted { throw fail("duplicate key '\(keyText)'") }
                    entries.append((item, value))
                }
                guard let sep = peek() else { throw fail("unterminated flow collection", at: start) }
                if sep == UInt8(ascii: ",") { i += 1; continue }
                if sep == close { i += 1; break }
                throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
            return node(isSequence ? .sequence(items) : .mapping(entries), at: start)
        }
    }
}
