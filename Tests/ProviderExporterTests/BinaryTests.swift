import Foundation
import Testing
import ProviderExporter

/// Tests that run the built `provider_exporter` binary as users do.
@Suite(.serialized) struct BinaryTests {
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
    static func start(_ arguments: [String] = []) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--web.listen-address=127.0.0.1:0"] + arguments
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

    @Test(arguments: [SIGTERM, SIGINT])
    func signalStopsWithStatusZeroWithinFiveSeconds(signal: Int32) async throws {
        try await offPool {
            let run = try Self.start()
            // An idle keep-alive connection must not hold the exit up.
            let client = try RawClient(port: run.port)
            #expect(try client.get("/metrics").status == 200)
            let start = Date()
            kill(run.process.processIdentifier, signal)
            run.process.waitUntilExit()
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(run.process.terminationReason == .exit)
            #expect(run.process.terminationStatus == 0)
            let log = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("msg=stopped"))
        }
    }

    static func runToEnd(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
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

    @Test func unknownFlagExitsTwoNamingIt() throws {
        let result = try Self.runToEnd(["--web.listen-adress=:1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--web.listen-adress"))
    }

    @Test func versionAndHelp() throws {
        let version = try Self.runToEnd(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("provider_exporter, version \(BuildInfo.version)"))
        let help = try Self.runToEnd(["--help"])
        #expect(help.status == 0 && help.stdout.contains("--web.max-connections"))
    }

    @Test func busyPortIsAClearErrorNotACrash() async throws {
        try await offPool {
            let run = try Self.start()
            defer { run.process.terminate(); run.process.waitUntilExit() }
            let second = try Self.runToEnd(["--web.listen-address=127.0.0.1:\(run.port)"])
            #expect(second.status == 1)
            #expect(second.stderr.contains("Address already in use"))
        }
    }

    @Test func jsonLogFormat() async throws {
        try await offPool {
            let run = try Self.start(["--log.format=json"])
            run.process.terminate()
            run.process.waitUntilExit()
            let rest = String(decoding: run.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in rest.split(separator: "\n") {
                #expect(line.hasPrefix("{\"ts\":") && line.hasSuffix("}"))
            }
        }
    }
}
