/// A node of the strict YAML subset of README, "Configuration", with where it starts.
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
}
