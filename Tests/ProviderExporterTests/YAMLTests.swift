import Foundation
import Testing
@testable import ProviderExporter

/// Renders a node as JSON text with the core schema applied (tests only).
func yamlToJSON(_ node: YAMLNode) -> String {
    switch node.kind {
    case .mapping(let entries):
        return "{" + entries.map { e -> String in
            guard case .scalar(let k, _) = e.key.kind else { return "" }
            return jsonQuote(k) + ":" + yamlToJSON(e.value)
        }.joined(separator: ",") + "}"
    case .sequence(let items):
        return "[" + items.map(yamlToJSON).joined(separator: ",") + "]"
    case .scalar:
        switch node.resolved! {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case .string(let s): return jsonQuote(s)
        }
    }
}

func jsonQuote(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed, .withoutEscapingSlashes])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}

@Suite struct YAMLTests {
    static func json(_ text: String) throws -> String { yamlToJSON(try YAMLParser.parse(text)) }

    @Test(arguments: [
        ("a: 1\nb: two\n", #"{"a":1,"b":"two"}"#),
        ("a:\n  b:\n    c: [1, 2.5, x]\n", #"{"a":{"b":{"c":[1,2.5,"x"]}}}"#),
        ("list:\n- a\n- b\nnext: 1\n", #"{"list":["a","b"],"next":1}"#),
        ("list:\n  - {name: x, n: 1}\n  - name: y\n    n: 2\n", #"{"list":[{"name":"x","n":1},{"name":"y","n":2}]}"#),
        ("- - a\n  - b\n- c\n", #"[["a","b"],"c"]"#),
        ("k: 'it''s'\nq: \"a\\tb\\\"c\\u00e9\"\n", #"{"k":"it's","q":"a\tb\"cé"}"#),
        ("k: value # comment\n# full line\nj: a#b\n", #"{"k":"value","j":"a#b"}"#),
        ("---\nempty:\nnull: ~\nyes: yes\non: on\n", #"{"empty":null,"null":null,"yes":"yes","on":"on"}"#),
        ("n: [0x1f, 0o17, -3, +4, .5, 1., 1e3, .inf, 017]\n", #"{"n":[31,15,-3,4,0.5,1.0,1000.0,Infinity,17]}"#),
        ("t: [true, True, FALSE, truthy]\n", #"{"t":[true,true,false,"truthy"]}"#),
        ("flow: {a: [1, {b: c}], d: }\n", #"{"flow":{"a":[1,{"b":"c"}],"d":null}}"#),
        ("multi: [1,\n  2, # two\n  3,\n]\n", #"{"multi":[1,2,3]}"#),
        ("url: http://x:80/a?b=c\n", #"{"url":"http://x:80/a?b=c"}"#),
        ("", "null"),
        ("# only a comment\n", "null"),
        ("plain scalar\n", #""plain scalar""#),
        ("a: 1\r\nb: 2\r\n", #"{"a":1,"b":2}"#),
        ("'quoted key': 1\n\"k2\" : 2\n", #"{"quoted key":1,"k2":2}"#),
    ])
    func parses(yaml: String, json: String) throws {
        #expect(try Self.json(yaml) == json)
    }

    @Test(arguments: [
        ("a: &x 1\n", 1, 4, "anchors (&) are not supported"),
        ("a: *x\n", 1, 4, "aliases (*) are not supported"),
        ("a: !!str 1\n", 1, 4, "tags (!) are not supported"),
        ("a: |\n  text\n", 1, 4, "block scalars (| and >) are not supported"),
        ("a: 1\n---\nb: 2\n", 2, 1, "only one document is supported"),
        ("a:\n\tb: 1\n", 2, 1, "tabs are not allowed in indentation"),
        ("a: 1\n  b: 2\n", 2, 3, "unexpected indentation"),
        ("a: 1\na: 2\n", 2, 1, "duplicate key 'a'"),
        ("a: [1, 2\n", 1, 4, "unterminated flow collection"),
        ("a: 'open\n", 1, 4, "unterminated quoted string (quoted scalars must end on their line)"),
        ("a: \"\\q\"\n", 1, 5, "unknown escape '\\q'"),
        ("a: b: c\n", 1, 5, "unexpected content after value"),
        ("a: - b\n", 1, 4, "a block sequence cannot start on the line of its key"),
        ("? a\n: b\n", 1, 1, "complex keys (?) are not supported"),
        ("%YAML 1.2\n---\na: 1\n", 1, 1, "directives (%) are not supported"),
        ("a: {x: 1, x: 2}\n", 1, 15, "duplicate key 'x'"),
        ("a: [x: 1]\n", 1, 6, "mappings inside [] need braces: [{k: v}]"),
        ("- a\nb: 1\n", 2, 1, "unexpected content (is the indentation right?)"),
    ] as [(String, Int, Int, String)])
    func rejects(yaml: String, line: Int, column: Int, message: String) {
        #expect(throws: YAMLError(line: line, column: column, message: message)) { try YAMLParser.parse(yaml) }
    }

    @Test func nodesCarryPositions() throws {
        let root = try YAMLParser.parse("providers:\n  - name: a\n    checks:\n      - {name: m, type: models}\n")
        guard case .mapping(let top) = root.kind, case .sequence(let providers) = top[0].value.kind,
              case .mapping(let provider) = providers[0].kind, case .sequence(let checks) = provider[1].value.kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect((providers[0].line, providers[0].column) == (2, 5))
        #expect((provider[1].key.line, provider[1].key.column) == (3, 5))
        #expect((checks[0].line, checks[0].column) == (4, 9))
    }

    @Test func hostileInputNeverCrashes() {
        var rng = SeededRandom(0x5EED_4A11)
        let alphabet = Array("ab: -[]{},'\"#&*!|>?%\\\n\t  01.x".utf8)
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0..<80, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? YAMLParser.parse(String(decoding: bytes, as: UTF8.self))
        }
        // Deep nesting is bounded by input size, not by a crash.
        _ = try? YAMLParser.parse(String(repeating: "[", count: 2000))
    }

    /// Generates documents inside the subset, avoiding scalars where PyYAML's
    /// YAML 1.1 differs from the 1.2 core schema (yes/on, 1:30, 017, 0o17, 1e3,
    /// 1_000), and checks PyYAML reads the same data.
    @Test func agreesWithPyYAML() async throws {
        try await offPool {
            var generator = Generator(seed: 42)
            var docs: [String] = []
            for _ in 0..<300 { docs.append(generator.document()) }
            var cases: [[String: String]] = []
            for doc in docs { cases.append(["yaml": doc, "ours": try Self.json(doc)]) }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-diff-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("cases.json")
            try JSONSerialization.data(withJSONObject: cases).write(to: input)
            let script = """
            import json, sys, yaml
            bad = 0
            for c in json.load(open(sys.argv[1])):
                try:
                    theirs = yaml.safe_load(c["yaml"])
                except yaml.YAMLError as e:
                    theirs = "PyYAML rejects it: " + str(e).replace("\\n", " ")
                ours = json.loads(c["ours"])
                if theirs != ours:
                    bad += 1
                    if bad <= 3: print("MISMATCH\\n" + c["yaml"] + "\\nPyYAML: " + json.dumps(theirs) + "\\nours:   " + json.dumps(ours))
            print("checked", len(json.load(open(sys.argv[1]))), "mismatches", bad)
            """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, input.path]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.hasSuffix("checked 300 mismatches 0\n"), "\(text)")
        }
    }
}

/// Random documents of the subset.
struct Generator {
    var local: SeededRandom

    init(seed: UInt64) { local = SeededRandom(seed) }

    static var scalars: [String] {
        ["alpha", "models", "x-team", "a b c", "12", "-3", "0", "1.5", "-0.25", ".5", "true", "false", "null", "~",
         "'single'", "'it''s'", "\"dq \\\"esc\\\" \\t\"", "\"é ✓\"", "http://h:9/p", "v1.2.3", "'yes'", "\"on\"",
         "+7", "0x1f", "a#b", "'# not comment'", "\"\""]
    }
    static let keys = ["name", "type", "url", "interval", "checks", "headers", "k1", "k2", "'quoted key'", "x_y"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(local.next() % UInt64(items.count))] }
    mutating func chance(_ n: UInt64) -> Bool { local.next() % n == 0 }

    mutating func document() -> String {
        chance(2) ? mapping(indent: 0, depth: 0) : sequence(indent: 0, depth: 0)
    }

    mutating func flowValue(depth: Int) -> String {
        if depth < 2 && chance(4) {
            let n = Int(local.next() % 4)
            if chance(2) { return "[" + (0..<n).map { _ in flowValue(depth: depth + 1) }.joined(separator: ", ") + "]" }
            var used: Set<String> = []
            var parts: [String] = []
            for _ in 0..<n {
                let k = pick(Self.keys)
                if used.insert(k).inserted { parts.append("\(k): \(flowValue(depth: depth + 1))") }
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        var s = pick(Self.scalars)
        while s.contains(" ") && !s.hasPrefix("'") && !s.hasPrefix("\"") && depth > 0 { s = pick(Self.scalars) }
        return s
    }

    mutating func comment() -> String { chance(5) ? " # note" : "" }

    mutating func mapping(indent: Int, depth: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var used: Set<String> = []
        var out = ""
        for _ in 0..<(1 + Int(local.next() % 4)) {
            let key = pick(Self.keys)
            guard used.insert(key).inserted else { continue }
            if depth < 3 && chance(3) {
                out += "\(pad)\(key):\(comment())\n"
                out += chance(2) ? mapping(indent: indent + 2, depth: depth + 1) : sequence(indent: indent + (chance(2) ? 0 : 2), depth: depth + 1)
            } else {
                out += "\(pad)\(key): \(flowValue(depth: 0))\(comment())\n"
            }
        }
        return out
    }

    mutating func sequence(indent: Int, depth: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        for _ in 0..<(1 + Int(local.next() % 3)) {
            if depth < 3 && chance(3) {
                // Compact mapping: "- k: v" then the rest of its keys under it.
                let inner = mapping(indent: indent + 2, depth: depth + 1)
                out += pad + "- " + inner.dropFirst(indent + 2)
            } else {
                out += "\(pad)- \(flowValue(depth: 0))\(comment())\n"
            }
        }
        return out
    }
}
