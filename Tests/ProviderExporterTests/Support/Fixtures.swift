import Foundation

/// Reads a fixture under `Tests/ProviderExporterTests/Fixtures`.
func fixture(_ path: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(path)
    return try [UInt8](Data(contentsOf: url))
}

/// A recorded response in PROVENANCE.md's `.txt` form: status line, headers, blank line, body.
struct RecordedResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(_ path: String) throws {
        let bytes = try fixture(path)
        let text = String(decoding: bytes, as: UTF8.self)
        let headEnd = text.range(of: "\n\n")?.lowerBound ?? text.endIndex
        let lines = text[..<headEnd].split(separator: "\n", omittingEmptySubsequences: false)
        status = Int(lines[0].split(separator: " ")[1]) ?? 0
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        body = headEnd == text.endIndex ? [] : Array(text[text.index(headEnd, offsetBy: 2)...].utf8)
    }
}

/// The file names in a fixture folder, sorted.
func fixtureNames(_ folder: String) throws -> [String] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}
