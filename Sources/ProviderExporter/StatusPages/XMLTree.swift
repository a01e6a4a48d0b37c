/// A small, strict XML reader for status feeds (RSS): elements, attributes,
/// text and CDATA, the five predefined entities and character references.
/// It reads no DTD (a `<!DOCTYPE` is refused, so no entity can expand),
/// resolves no namespace (`atom:link` is simply that name) and never
/// recurses: nesting is an explicit stack bounded by `maxDepth`.
struct XMLTree {
    struct Element {
        var name: String
        var attributes: [(name: String, value: String)]
        var children: [Element] = []
        /// The element's own text and CDATA, concatenated (not its children's).
        var text = ""

        /// The direct children with this name.
        func all(_ name: String) -> [Element] { children.filter { $0.name == name } }
        /// The first direct child with this name.
        func first(_ name: String) -> Element? { children.first { $0.name == name } }
        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    var root: Element

    static let maxDepth = 64

    /// Parses a whole document; a failure says at which byte and why.
    static func parse(_ bytes: [UInt8]) throws(StatusPageError) -> XMLTree {
        var reader = Reader(bytes: bytes)
        return XMLTree(root: try reader.document())
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte order mark is not content.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ message: String) -> StatusPageError {
            StatusPageError(path: "", message: "XML byte \(i): \(message)")
        }

        func at(_ text: String) -> Bool {
            let t = Array(text.utf8)
            return i + t.count <= bytes.count && bytes[i..<(i + t.count)].elementsEqual(t)
        }

        /// Moves past the next `end`, or fails when the document ends first.
        mutating func skip(past end: String, _ what: String) throws(StatusPageError) {
            let e = Array(end.utf8)
            while i + e.count <= bytes.count {
                if bytes[i..<(i + e.count)].elementsEqual(e) { i += e.count; return }
                i += 1
            }
            throw fail("unterminated \(what)")
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        /// Skips what may stand outside and between elements: space, comments,
        /// processing instructions (the `<?xml ...?>` declaration).
        mutating func skipMisc() throws(StatusPageError) {
            while true {
                skipSpace()
                if at("<?") { try skip(past: "?>", "processing instruction") }
                else if at("<!--") { try skip(past: "-->", "comment") }
                else { return }
            }
        }

        mutating func document() throws(StatusPageError) -> Element {
            try skipMisc()
            if at("<!DOCTYPE") || at("<!doctype") { throw fail("a DOCTYPE is not read (no DTDs, no entities)") }
            guard at("<"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "/") else {
                let head = String(decoding: bytes.prefix(40), as: UTF8.self).lowercased()
                throw StatusPageError(path: "", message: head.contains("{") ? "body is JSON, not an XML feed" : "body is not XML")
            }
            var stack: [Element] = []
            while true {
                if i >= bytes.count { throw fail("document ends inside <\(stack.last?.name ?? "")>") }
                if at("</") {
                    i += 2
                    let name = try self.name()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("expected > after </\(name)") }
                    i += 1
                    guard let open = stack.popLast(), open.name == name else { throw fail("</\(name)> closes nothing open") }
                    if let root = try finish(open, in: &stack) { return root }
                } else if at("<!--") {
                    try skip(past: "-->", "comment")
                } else if at("<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(past: "]]>", "CDATA section")
                    guard !stack.isEmpty else { throw fail("text outside the root element") }
                    stack[stack.count - 1].text += String(decoding: bytes[start..<(i - 3)], as: UTF8.self)
                } else if at("<?") {
                    try skip(past: "?>", "processing instruction")
                } else if at("<!") {
                    throw fail("a declaration is not read")
                } else if at("<") {
                    i += 1
                    let element = Element(name: try name(), attributes: try attributes())
                    if at("/>") {
                        i += 2
                        if let root = try finish(element, in: &stack) { return root }
                    } else if at(">") {
                        i += 1
                        guard stack.count < XMLTree.maxDepth else { throw fail("nested deeper than \(XMLTree.maxDepth) elements") }
                        stack.append(element)
                    } else {
                        throw fail("expected > or /> in <\(element.name)>")
                    }
                } else {
                    let text = try self.text(until: UInt8(ascii: "<"))
                    if stack.isEmpty { throw fail("text outside the root element") }
                    stack[stack.count - 1].text += text
                }
            }
        }

        /// A complete element joins its parent; the root ends the document,
        /// after which only space, comments and processing instructions may follow.
        mutating func finish(_ element: Element, in stack: inout [Element]) throws(StatusPageError) -> Element? {
            guard stack.isEmpty else {
                stack[stack.count - 1].children.append(element)
                return nil
            }
            try skipMisc()
            guard i == bytes.count else { throw fail("content after the root element") }
            return element
        }

        mutating func name() throws(StatusPageError) -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80 || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                let more = (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                guard letter || (more && i > start) else { break }
                i += 1
            }
            guard i > start else { throw fail("expected a name") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func attributes() throws(StatusPageError) -> [(name: String, value: String)] {
            var out: [(name: String, value: String)] = []
            while true {
                skipSpace()
                guard i < bytes.count else { throw fail("document ends inside a tag") }
                if bytes[i] == UInt8(ascii: ">") || at("/>") { return out }
                let name = try self.name()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("expected = after attribute \(name)") }
                i += 1
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw fail("expected a quoted value for attribute \(name)")
                }
                let quote = bytes[i]
                i += 1
                let value = try text(until: quote)
                guard i < bytes.count else { throw fail("unterminated attribute \(name)") }
                i += 1
                out.append((name, value))
            }
        }

        /// Character data up to (not including) `stop`, with entities decoded.
        mutating func text(until stop: UInt8) throws(StatusPageError) -> String {
            var out: [UInt8] = []
            while i < bytes.count, bytes[i] != stop {
                if bytes[i] == UInt8(ascii: "<") { throw fail("< inside a value") }
                guard bytes[i] == UInt8(ascii: "&") else { out.append(bytes[i]); i += 1; continue }
                let start = i + 1
                guard let semicolon = bytes[start..<min(bytes.count, start + 12)].firstIndex(of: UInt8(ascii: ";")) else {
                    throw fail("unterminated entity")
                }
                let entity = String(decoding: bytes[start..<semicolon], as: UTF8.self)
                i = semicolon + 1
                switch entity {
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "amp": out.append(UInt8(ascii: "&"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    let number: UInt32? = if entity.hasPrefix("#x") { UInt32(entity.dropFirst(2), radix: 16) }
                        else if entity.hasPrefix("#") { UInt32(entity.dropFirst()) } else { nil }
                    guard let number, number != 0, let scalar = Unicode.Scalar(number) else { throw fail("unknown entity &\(entity);") }
                    out += Array(String(Character(scalar)).utf8)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
