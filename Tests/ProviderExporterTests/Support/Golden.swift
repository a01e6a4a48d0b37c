import Foundation
import Testing

/// Compares bytes with a golden file under `Tests/ProviderExporterTests/Golden`,
/// located by `#filePath`. `UPDATE_GOLDEN=1` rewrites the file instead.
func expectGolden(_ bytes: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try Data(bytes).write(to: url)
        return
    }
    let expected = try [UInt8](Data(contentsOf: url))
    #expect(bytes == expected, "\(name) differs from golden file; got:\n\(String(decoding: bytes, as: UTF8.self))",
            sourceLocation: sourceLocation)
}
