import Foundation

/// An HTTPS server on 127.0.0.1 for TLS tests: a fresh self-signed certificate
/// for `fake-provider.test` (made by the openssl CLI, valid 30 days), served by
/// Python's ssl module. Answers every GET with a small model list.
final class HTTPSFakeProvider: @unchecked Sendable {
    let process: Process
    let port: UInt16
    let certificatePath: String
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificatePath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=fake-provider.test",
                             "-addext", "subjectAltName=DNS:fake-provider.test", "-keyout", keyPath, "-out", certificatePath]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        let script = """
        import http.server, ssl, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"data":[{"id":"m"}]}'
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def log_message(self, *a): pass
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1], sys.argv[2])
        s.socket = c.wrap_socket(s.socket, server_side=True)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, certificatePath, keyPath]
        let out = Pipe()
        python.standardOutput = out
        try python.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let bound = UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            python.terminate()
            throw RawClient.Failure(description: "TLS server did not start: \(line)")
        }
        process = python
        port = bound
    }

    /// Bounded: Foundation's `waitUntilExit` can hang off the main thread on Linux.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
        try? FileManager.default.removeItem(at: directory)
    }
}
