import Foundation
import Testing
@testable import ProviderExporter

/// Foundation's reading of a document, the reference the parser is held to:
/// each node decoded as the first of null, Bool, Double, String, array, object.
extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

/// The hand-written JSON parser every provider and status-page body goes through.
@Suite struct JSONValueTests {
    static func foundation(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Every recorded and synthetic JSON fixture reads as Foundation's JSONDecoder reads it.
    @Test func fixturesParseAsJSONDecoderParsesThem() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        #expect(files.count >= 20)
        for file in files {
            let bytes = try fixture(file)
            #expect(try JSONValue.parse(bytes) == Self.foundation(bytes), "\(file)")
        }
    }

    @Test(arguments: [
        #"{"a":[1,-0.5,2e3,1E-2,0],"b":{"c":null,"d":true,"e":false},"f":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#,
        #"  [ ]  "#, #"{}"#, #""plain""#, "42", "-0", #"{"k":1,"k":2}"#, #"["é", "日本"]"#,
        "\u{FEFF}{\"bom\":1}",
    ])
    func documentsParseAsJSONDecoderParsesThem(_ text: String) throws {
        let bytes = Array(text.utf8)
        #expect(try JSONValue.parse(bytes) == Self.foundation(bytes))
    }

    @Test(arguments: [
        "", " ", "{", "[1,", "[1 2]", #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, "[1,]", "tru", "nul", "01", "1.", ".5", "-", "1e",
        "1e400", "+1", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\uZZZZ""#, "[1] x", "{}{}",
    ])
    func malformedDocumentsThrow(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func hostileInputsAreBounded() throws {
        // Deep nesting: an error, not a stack overflow.
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let limit = JSONParser.maxDepth
        let ok = Array(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)).map { UInt8($0.asciiValue!) }
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        // A lone surrogate is replaced, invalid UTF-8 repaired; neither is fatal.
        #expect(try JSONValue.parse(Array(#"["\ud800x"]"#.utf8)) == .array([.string("\u{FFFD}x")]))
        #expect(try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) == .string("\u{FFFD}\u{FFFD}"))
    }

    /// A 300 KB model list: the same value as JSONDecoder, in less time,
    /// measured side by side in this run.
    @Test func largeModelListIsFasterThanJSONDecoder() throws {
        var text = #"{"object":"list","data":["#
        for n in 0..<4_000 {
            text += (n == 0 ? "" : ",") + #"{"id":"model-\#(n)","object":"model","created":1700000000,"owned_by":"system"}"#
        }
        let bytes = Array((text + "]}").utf8)
        let clock = ContinuousClock()
        var ours: JSONValue? = nil, theirs: JSONValue? = nil
        // The best of five each, taken in turn: suites running beside this one
        // slow single runs, not the best of several.
        var oursTime = Duration.seconds(1000), theirsTime = Duration.seconds(1000)
        for _ in 0..<5 {
            oursTime = min(oursTime, try clock.measure { ours = try JSONValue.parse(bytes) })
            theirsTime = min(theirsTime, try clock.measure { theirs = try Self.foundation(bytes) })
        }
        #expect(ours == theirs)
        #expect(oursTime < theirsTime, "ours \(oursTime), JSONDecoder \(theirsTime)")
        print("JSON: \(bytes.count) bytes, hand-written \(oursTime), JSONDecoder \(theirsTime) (debug build)")
    }
}
