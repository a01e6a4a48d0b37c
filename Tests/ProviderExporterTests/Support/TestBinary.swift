import Foundation
import ProviderExporter

/// The built `provider_exporter` binary, run as users run it.
enum TestBinary {
    /// The binary sits next to the test bundle in the build directory.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("provider_exporter")
    }

    struct Run {
        let process: Process
        let stderr: Pipe
        let port: UInt16
    }

    /// Starts the binary on an ephemeral loopback port, read from its log.
    static func start(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let config = arguments.contains { $0.hasPrefix("--config.file") } ? [] : ["--config.file=\(try Self.loopbackConfigPath())"]
        process.arguments = ["--web.listen-address=127.0.0.1:0"] + config + arguments
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let data = stderr.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            // logfmt `port=N` or JSON `"port":"N"`.
            if let range = seen.range(of: #"port(=|":")\d+"#, options: .regularExpression),
               let port = UInt16(seen[range].filter(\.isNumber)) {
                return Run(process: process, stderr: stderr, port: port)
            }
        }
        process.terminate()
        throw RawClient.Failure(description: "no port in log: \(seen)")
    }

    static func runToEnd(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// Writes `text` to a file of this test process's temporary folder.
    static func writeTemp(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pe-bin-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A config file with only a loopback status page (no real host is ever reached).
    static func loopbackConfigPath() throws -> String { try writeTemp("loopback.yml", loopbackConfig) }
}
