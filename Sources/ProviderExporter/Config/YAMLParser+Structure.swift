/// The YAML subset's structure: the document, block mappings and sequences,
/// and flow collections, read with the scanner's positions and scalars.
extension YAMLParser.Scanner {
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
