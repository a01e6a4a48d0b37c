import Foundation

/// Test-only certificates, made once per test process by the `openssl`
/// command into a temporary directory (no key is ever committed): a CA; a
/// server certificate for localhost and 127.0.0.1, and a second one that
/// expires at another time (to see which one a connection got); client
/// certificates from the CA named prometheus.example and other.example; one
/// from a CA nobody trusts.
enum TestCertificates {
    struct Files: Sendable {
        let directory: String
        func path(_ name: String) -> String { directory + "/" + name }
    }

    struct SetupFailed: Error, CustomStringConvertible { var description: String }

    /// The files, made on first use; a failure fails the test that asked, not the process.
    static var files: Files {
        get throws {
            guard let made = made else { throw SetupFailed(description: "openssl could not make the test certificates") }
            return made
        }
    }

    private static let made: Files? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pe-tls-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = """
        set -e
        cd '\(dir)'
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
        ca() { key "$1"; openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$1" 2>/dev/null; }
        leaf() { # name ca days san usage
          key "$1"
          openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
          printf 'subjectAltName=%s\\nextendedKeyUsage=%s\\n' "$4" "$5" > "$1.ext"
          openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days "$3" -extfile "$1.ext" 2>/dev/null
        }
        ca test-ca
        ca rogue-ca
        leaf server test-ca 3650 'DNS:localhost,IP:127.0.0.1' serverAuth
        leaf server2 test-ca 1000 'DNS:localhost,IP:127.0.0.1' serverAuth
        leaf client test-ca 3650 'DNS:prometheus.example,email:scraper@example.com' clientAuth
        leaf client-other test-ca 3650 'DNS:other.example' clientAuth
        leaf client-rogue rogue-ca 3650 'DNS:prometheus.example' clientAuth
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        guard (try? process.run()) != nil, finished(process), process.terminationStatus == 0 else { return nil }
        return Files(directory: dir)
    }()

    /// `curl` against `https://localhost:PORT/PATH` with the test CA; extra
    /// arguments add a client certificate, versions or ciphers. Returns the
    /// HTTP status (0 when the connection or handshake failed) and the body.
    static func curl(port: UInt16, path: String = "/", _ extra: [String] = []) throws -> (status: Int, body: String) {
        let files = try files
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "20", "--cacert", files.path("test-ca.pem"),
                             "--resolve", "localhost:\(port):127.0.0.1", "-w", "\n%{http_code}"] + extra + ["https://localhost:\(port)\(path)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try? process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        _ = finished(process)
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A real ClientHello, as curl 7.88 with OpenSSL 3.0 sent it (recorded,
    /// Fixtures/tls/curl-client-hello.bin; not secret: it carries no key).
    static func clientHello() throws -> [UInt8] { try fixture("tls/curl-client-hello.bin") }

    /// Waits (bounded at 30 s) for a child to exit: Foundation's
    /// `waitUntilExit` can hang off the main thread on Linux.
    static func finished(_ process: Process) -> Bool {
        waitUntil { !process.isRunning }
    }

    static func client(_ name: String) throws -> [String] {
        let files = try files
        return ["--cert", files.path(name + ".pem"), "--key", files.path(name + ".key")]
    }
}
