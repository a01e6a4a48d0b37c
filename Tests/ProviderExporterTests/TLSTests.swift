import Foundation
import Testing
@testable import ProviderExporter

/// `tls_server_config`: the web config's fields and errors, handshakes,
/// client certificates, versions and suites, rotation, and a handshake that
/// stalls. Certificates come from `TestCertificates` (made by openssl at test time).
@Suite struct TLSConfigTests {
    /// The web config in the certificates' directory, so relative names find them.
    static func load(_ yaml: String) throws -> WebConfig {
        let path = try TestCertificates.files.path("web-\(UUID().uuidString).yml")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try WebConfig.load(file: path)
    }

    static func errors(_ yaml: String) throws -> [String] {
        let directory = try TestCertificates.files.directory
        do {
            _ = try load(yaml)
            return []
        } catch let error as ConfigErrors {
            return error.errors.map { $0.description.replacingOccurrences(of: directory + "/", with: "") }
                .map { $0.replacingOccurrences(of: #"web-[0-9A-F-]+\.yml"#, with: "web.yml", options: .regularExpression) }
        }
    }

    /// Every documented field, Go's names translated to OpenSSL's; file names
    /// relative to the web config's directory.
    @Test func everyFieldIsReadAndTranslated() throws {
        let config = try Self.load("""
        tls_server_config:
          cert_file: server.pem
          key_file: server.key
          client_ca_file: test-ca.pem
          client_auth_type: RequireAndVerifyClientCert
          client_allowed_sans: [prometheus.example, 10.0.0.1]
          min_version: TLS12
          max_version: TLS13
          cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]
          prefer_server_cipher_suites: false
          curve_preferences: [X25519, CurveP256]
        """)
        let tls = try #require(config.tls)
        #expect(config.users.isEmpty && tls.certificate == .file("server.pem") && tls.clientCA == .file("test-ca.pem"))
        #expect(tls.clientAuth == .RequireAndVerifyClientCert && tls.clientAllowedSANs == ["prometheus.example", "10.0.0.1"])
        #expect(tls.minVersion == .TLS12 && tls.maxVersion == .TLS13 && !tls.preferServerCipherSuites)
        #expect(tls.cipherSuites == ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"])
        #expect(tls.curves == ["X25519", "P-256"])
        // exporter-toolkit's older name for RequireAnyClientCert.
        #expect(try Self.load("tls_server_config: {cert_file: server.pem, key_file: server.key, client_auth_type: RequireClientCert}\n")
            .tls?.clientAuth == .RequireAnyClientCert)
    }

    /// An inline key is a secret: it never shows in an error or a description.
    @Test func inlinePEMWorksAndStaysSecret() throws {
        let cert = try String(contentsOfFile: try TestCertificates.files.path("server.pem"), encoding: .utf8)
        let key = try String(contentsOfFile: try TestCertificates.files.path("server.key"), encoding: .utf8)
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\n", with: "\\n") + "\"" }
        let config = try Self.load("tls_server_config:\n  cert: \(quoted(cert))\n  key: \(quoted(key))\n")
        let tls = try #require(config.tls)
        #expect(tls.key.description == "<inline>" && !"\(tls)".contains("PRIVATE KEY"))
        let wrong = try Self.errors("tls_server_config:\n  cert: \(quoted(cert))\n  key: \(quoted(key.replacingOccurrences(of: "A", with: "B")))\n")
        #expect(wrong.count == 1 && wrong[0].hasPrefix("web.yml:3:8: tls_server_config.key: no PEM private key that matches the certificate in <inline>"))
        #expect(!wrong[0].contains("PRIVATE"))
    }

    @Test(arguments: [
        ("tls_server_config: {cert_file: server.pem}\n", "web.yml:1:20: tls_server_config: missing key_file (or key)"),
        ("tls_server_config: {cert_file: server.pem, cert: x, key_file: server.key}\n",
         "web.yml:1:50: tls_server_config: cert_file and cert are mutually exclusive"),
        ("tls_server_config: {cert_fil: server.pem, key_file: server.key}\n",
         "web.yml:1:21: tls_server_config: unknown key 'cert_fil'; did you mean 'cert_file'?\nweb.yml:1:20: tls_server_config: missing cert_file (or cert)"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, client_auth_type: Sometimes}\n",
         "web.yml:1:84: tls_server_config.client_auth_type: unknown 'Sometimes'; one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, client_ca_file: test-ca.pem}\n",
         "web.yml:1:82: tls_server_config: client CAs are configured without a client_auth_type that uses them (RequireAndVerifyClientCert, VerifyClientCertIfGiven)"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, client_auth_type: RequireAndVerifyClientCert}\n",
         "web.yml:1:84: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file (or client_ca): the CAs that sign client certificates"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, client_ca_file: test-ca.pem, client_auth_type: VerifyClientCertIfGiven, client_allowed_sans: [a]}\n",
         "web.yml:1:159: tls_server_config.client_allowed_sans: needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert: otherwise a client without a certificate has no name to check"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, min_version: TLS14}\n",
         "web.yml:1:79: tls_server_config.min_version: unknown 'TLS14'; one of TLS10, TLS11, TLS12, TLS13"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, min_version: TLS13, max_version: TLS12}\n",
         "web.yml:1:79: tls_server_config.min_version: TLS13 is above max_version TLS12"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}\n",
         "web.yml:1:82: tls_server_config.cipher_suites: unknown or insecure cipher suite 'TLS_RSA_WITH_RC4_128_SHA' (Go's crypto/tls names)"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, cipher_suites: [TLS_AES_128_GCM_SHA256]}\n",
         "web.yml:1:81: tls_server_config.cipher_suites: lists no TLS 1.2 suite (TLS 1.3 suites are not configurable): TLS 1.2 clients would have none"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, curve_preferences: [CurveP999]}\n",
         "web.yml:1:86: tls_server_config.curve_preferences: unknown curve 'CurveP999'; one of CurveP256, CurveP384, CurveP521, X25519, X25519MLKEM768"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, prefer_server_cipher_suites: maybe}\n",
         "web.yml:1:95: tls_server_config.prefer_server_cipher_suites: expected true or false"),
        ("tls_server_config: {cert_file: missing.pem, key_file: server.key}\n",
         "web.yml:1:32: tls_server_config.cert_file: cannot read 'missing.pem': No such file or directory"),
        ("tls_server_config: {cert_file: server.key, key_file: server.key}\n",
         "web.yml:1:32: tls_server_config.cert_file: no usable PEM certificate in server.key"),
        ("tls_server_config: {cert_file: server.pem, key_file: server2.key}\n",
         "web.yml:1:54: tls_server_config.key_file: no PEM private key that matches the certificate in server2.key"),
        ("tls_server_config: {cert_file: server.pem, key_file: server.key, client_ca_file: server.key, client_auth_type: VerifyClientCertIfGiven}\n",
         "web.yml:1:82: tls_server_config.client_ca_file: no usable PEM certificate in server.key"),
        ("tls_server_config: [cert_file]\n", "web.yml:1:20: tls_server_config: expected a mapping (cert_file, key_file, ...)"),
        ("rate_limit: {interval: 1s, burst: 5}\n",
         "web.yml:1:1: rate_limit: not supported by provider_exporter (HTTP/2, extra response headers and rate limits are not served)"),
    ])
    func badSettingsNameLineAndColumn(yaml: String, expected: String) throws {
        let errors = try Self.errors(yaml).joined(separator: "\n")
        // OpenSSL's own reason follows in parentheses where it gave one.
        #expect(errors == expected || errors.hasPrefix(expected + " ("), "\(errors)")
    }
}

/// Through a real server on loopback.
@Suite(.serialized) struct TLSServerTests {
    /// A one-loop server (a blocking handshake would stall everything) with
    /// the given tls_server_config, on `clock`, logging into `log`.
    static func server(_ tls: String, directory: String? = nil, clock: any TimeSource = SystemClock(),
                       log: LineSink = LineSink(), limits: ServerLimits = ServerLimits()) throws -> HTTPServer {
        let path = try (directory ?? TestCertificates.files.directory) + "/web-\(UUID().uuidString).yml"
        try Data("tls_server_config:\n\(tls)".utf8).write(to: URL(fileURLWithPath: path))
        let web = try WebConfig.load(file: path)
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0),
                                    router: Router([Route("/") { _ in .now(.text(200, "ok")) },
                                                    Route("/big") { _ in .now(.text(200, String(repeating: "x", count: 3 << 20))) }]),
                                    limits: limits, loopCount: 1, clock: clock,
                                    tls: try TLSServer(web.tls!, configPath: path, logger: log.logger, now: clock.monotonic()),
                                    logger: log.logger(level: .debug))
        server.start()
        return server
    }

    static let plain = "  cert_file: server.pem\n  key_file: server.key\n"

    static func get(_ port: UInt16, _ path: String = "/", client: HTTPClient = testClient) async throws -> ClientResponse {
        var request = ClientRequest(url: "https://127.0.0.1:\(port)\(path)", timeout: 20)
        var tls = TLSConfig()
        tls.caFile = try TestCertificates.files.path("test-ca.pem")
        request.tls = tls
        request.maxBodyBytes = 8 << 20
        return await client.send(request)
    }

    /// A handshake, a keep-alive connection that asks twice, gzip, a body of
    /// several MB (many records, partial writes), plain HTTP answered with 400.
    @Test func handshakeKeepAliveGzipAndPlainHTTP() async throws {
        let server = try Self.server(Self.plain)
        defer { server.stop(timeout: 2) }
        let response = try await Self.get(server.boundPort)
        #expect(response.error == nil && response.status == 200 && String(decoding: response.body, as: UTF8.self) == "ok\n")
        let big = try await Self.get(server.boundPort, "/big")
        #expect(big.status == 200 && big.body.count == (3 << 20) + 1)
        try await offPool {
            let port = server.boundPort
            // Two URLs on one connection: each transfer prints its new connections, then its status.
            let twice = try TestCertificates.curl(port: port, path: "/", ["--compressed", "-w", "\n%{num_connects}\n%{http_code}",
                                                                       "https://localhost:\(port)/"])
            #expect(twice.status == 200 && twice.body.hasSuffix("\n0"), "the second request did not reuse the connection: \(twice.body)")
            let client = try RawClient(port: port)
            let answer = try client.get("/")
            #expect(answer.status == 400 && answer.text.contains("HTTPS"))
        }
    }

    /// Many short connections at once on two loops: a session must end while
    /// its descriptor is still its own. (A session freed after its descriptor
    /// closed once wrote close_notify into the next connection given the
    /// number: handshakes failed with "unexpected message" or "bad record mac".)
    @Test func concurrentShortConnectionsNeverCrossTalk() async throws {
        let path = try TestCertificates.files.path("web-\(UUID().uuidString).yml")
        try Data("tls_server_config:\n\(Self.plain)".utf8).write(to: URL(fileURLWithPath: path))
        let tls = try TLSServer(try WebConfig.load(file: path).tls!, configPath: path, logger: quietLogger, now: 0)
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: Router([Route("/") { _ in .now(.text(200, "ok")) }]),
                                    loopCount: 2, tls: tls, logger: quietLogger)
        server.start()
        defer { server.stop(timeout: 2) }
        // Clients on several transfer threads, so connections open and close at the same moments.
        let clients = (0..<4).map { _ in HTTPClient() }
        defer { for client in clients { client.shutdown() } }
        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for k in 0..<16 {
                group.addTask {
                    var failed: [String] = []
                    for _ in 0..<100 {
                        let response = try await Self.get(server.boundPort, client: clients[k % clients.count])
                        if response.status != 200 { failed.append(response.error.map { "\($0)" } ?? "HTTP \(response.status)") }
                    }
                    return failed
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures.isEmpty, "\(failures.count) of 1,600 failed, e.g. \(failures.prefix(3))")
    }

    /// exporter-toolkit's client_auth_type values, with no certificate, the
    /// CA's, and one from a CA nobody configured.
    @Test(arguments: [
        ("NoClientCert", false, [200, 200, 200]),
        ("RequestClientCert", false, [200, 200, 200]),
        ("RequireAnyClientCert", false, [0, 200, 200]),
        ("VerifyClientCertIfGiven", true, [200, 200, 0]),
        ("RequireAndVerifyClientCert", true, [0, 200, 0]),
    ])
    func clientCertificates(auth: String, withCA: Bool, expected: [Int]) async throws {
        let server = try Self.server(Self.plain + "  client_auth_type: \(auth)\n" + (withCA ? "  client_ca_file: test-ca.pem\n" : ""))
        defer { server.stop(timeout: 2) }
        let statuses = try await offPool {
            try [[], TestCertificates.client("client"), TestCertificates.client("client-rogue")].map {
                try TestCertificates.curl(port: server.boundPort, $0).status
            }
        }
        #expect(statuses == expected, "\(auth)")
    }

    /// Only a certificate naming an allowed SAN gets in.
    @Test func clientAllowedSANs() async throws {
        let server = try Self.server(Self.plain + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: test-ca.pem\n"
                                     + "  client_allowed_sans: [scraper@example.com]\n")
        defer { server.stop(timeout: 2) }
        let (allowed, other) = try await offPool {
            (try TestCertificates.curl(port: server.boundPort, try TestCertificates.client("client")).status,
             try TestCertificates.curl(port: server.boundPort, try TestCertificates.client("client-other")).status)
        }
        #expect(allowed == 200 && other == 0)
    }

    /// min_version and cipher_suites hold.
    @Test func versionsAndCipherSuites() async throws {
        let tls13 = try Self.server(Self.plain + "  min_version: TLS13\n")
        defer { tls13.stop(timeout: 2) }
        let tls12 = try Self.server(Self.plain + "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n")
        defer { tls12.stop(timeout: 2) }
        let statuses = try await offPool {
            [try TestCertificates.curl(port: tls13.boundPort, ["--tls-max", "1.2"]).status,
             try TestCertificates.curl(port: tls13.boundPort, ["--tlsv1.3"]).status,
             try TestCertificates.curl(port: tls12.boundPort, ["--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"]).status,
             try TestCertificates.curl(port: tls12.boundPort, ["--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"]).status,
             try TestCertificates.curl(port: tls12.boundPort, ["--tlsv1.3"]).status]
        }
        #expect(statuses == [0, 200, 0, 200, 0])
    }

    /// New files are picked up by the next connection a second later; files
    /// that do not make a context leave the last good one, logged once.
    @Test func certificatesRotateAndBadFilesKeepTheLastGoodOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pe-rotate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func install(_ name: String) throws {
            for ext in ["pem", "key"] {
                let target = dir + "/current.\(ext)"
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: try TestCertificates.files.path("\(name).\(ext)"), toPath: target)
            }
        }
        try install("server")
        let clock = ManualClock(1000)
        let log = LineSink()
        let server = try Self.server("  cert_file: \(dir)/current.pem\n  key_file: \(dir)/current.key\n", directory: dir, clock: clock, log: log)
        defer { server.stop(timeout: 2) }
        let first = try #require(try await Self.get(server.boundPort).certificateExpiry)

        try install("server2")
        clock.advance(by: 0.5)
        #expect(try await Self.get(server.boundPort).certificateExpiry == first, "re-read before a second passed")
        clock.advance(by: 1)
        let second = try #require(try await Self.get(server.boundPort).certificateExpiry)
        #expect(second < first - 2000 * 86400, "the new certificate (1000 days) was not served")
        #expect(log.all.contains { $0.contains("TLS certificate reloaded") })

        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: dir + "/current.pem"))
        for _ in 0..<3 {
            clock.advance(by: 1.5)
            #expect(try await Self.get(server.boundPort).certificateExpiry == second)
        }
        #expect(log.all.filter { $0.contains("new TLS files cannot be used; serving the previous certificate") }.count == 1)
    }

    /// Stalled handshakes (silence, half a record, a client that stops after
    /// its hello) hold no worker: a one-loop server still answers at once, and
    /// they are closed by the head timeout.
    @Test func stalledHandshakesHoldNoWorkerAndTimeOut() async throws {
        var limits = ServerLimits()
        limits.headTimeout = 2
        let clock = ManualClock(1000)
        let server = try Self.server(Self.plain, clock: clock, limits: limits)
        defer { server.stop(timeout: 2) }
        let port = server.boundPort
        try await offPool {
            var stalled: [RawClient] = []
            for i in 0..<30 {
                let client = try RawClient(port: port, timeout: 5)
                switch i % 3 {
                case 0: break                                        // silence
                case 1: try client.send([0x16, 0x03, 0x01, 0x02])   // half a record header
                default: try client.send(try TestCertificates.clientHello())
                }
                stalled.append(client)
            }
            #expect(waitUntil { server.readingConnections == 30 })
            #expect(try TestCertificates.curl(port: port).status == 200)
            #expect(ServerTimeoutTests.sweep(server, clock, to: 1001))
            #expect(stalled.allSatisfy { $0.notClosed() }, "closed before the head timeout")
            #expect(ServerTimeoutTests.sweep(server, clock, to: 1002.5))
            #expect(stalled.allSatisfy { $0.waitForClose() })
        }
    }
}
