import Foundation
import Testing
@testable import ProviderExporter

/// `--web.config.file`: exporter-toolkit's basic_auth_users with bcrypt hashes.
@Suite(.serialized) struct BasicAuthTests {
    /// bcrypt (cost 10) of the obvious fake password "test-password", made with
    /// Python's crypt module; `$2y$` is the same hash as htpasswd writes it.
    static let hash2b = "$2b$10$Lpgq0QHqAkDcM7vAeL9k5.cGOUM8YhJSvXRXs3vFzAnDmdO6HbqQ6"
    static let hash2y = "$2y$" + hash2b.dropFirst(4)

    static func header(_ user: String, _ password: String) -> String {
        "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func load(_ yaml: String) throws(ConfigErrors) -> WebConfig {
        try WebConfig.load(file: "web.yml", readFile: { _ in Array(yaml.utf8) })
    }

    static func errors(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func libcryptVerifiesBothBcryptPrefixes() {
        #expect(BasicAuth.bcryptMatches("test-password", Self.hash2b))
        #expect(BasicAuth.bcryptMatches("test-password", Self.hash2y))
        #expect(!BasicAuth.bcryptMatches("test-passwore", Self.hash2b))
        #expect(!BasicAuth.bcryptMatches("", Self.hash2b))
        #expect(!BasicAuth.bcryptMatches("test-password", "$2b$10$tooshort"))
    }

    @Test func webConfigErrorsNameLineColumnAndNeverEchoTheValue() throws {
        #expect(try Self.load("basic_auth_users:\n  alice: '\(Self.hash2y)'\n").users == ["alice": Self.hash2y])
        #expect(Self.errors("basic_auth_users:\n  alice: plain-text-password\n")
            == ["web.yml:2:10: basic_auth_users.alice: not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); make one with `htpasswd -nBC 10 alice`"])
        #expect(Self.errors("tls_server_config: {cert_file: a}\n")
            == ["web.yml:1:1: tls_server_config: not supported by provider_exporter; terminate TLS in front of it"])
        #expect(Self.errors("basic_auth_user: {}\n") == ["web.yml:1:1: file: unknown key 'basic_auth_user' (only basic_auth_users is supported)"])
        #expect(Self.errors("basic_auth_users: {}\n") == ["web.yml:1:1: basic_auth_users: no users: every protected route would refuse everyone"])
    }

    @Test func base64() {
        #expect(Base64.decode("YWxpY2U6dGVzdC1wYXNzd29yZA==") == Array("alice:test-password".utf8))
        #expect(Base64.decode("YQ") == Array("a".utf8))
        #expect(Base64.decode("not base64!") == nil)
    }

    /// The whole route table behind the check, through the real server.
    @Test func everyRouteButHealthAndReadinessNeedsCredentials() async throws {
        let path = try TestBinary.writeTemp("web.yml", "basic_auth_users:\n  alice: '\(Self.hash2y)'\n")
        var options = Options()
        options.listenAddress = ListenAddress(host: "127.0.0.1", port: 0)
        options.webConfigFile = path
        let yaml = "providers:\n  - {name: local, status_page: {url: 'http://127.0.0.1:9', format: statuspage}}\n"
        let config = try ConfigStore(source: .file("c.yml"), environment: ConfigEnvironment(variable: { _ in nil }, readFile: { _ in Array(yaml.utf8) }),
                                     logger: quietLogger)
        let exporter = try Exporter(options: options, config: config, logger: quietLogger, clock: ManualClock(1_795_000_000))
        exporter.start()
        defer { exporter.stop(timeout: 2) }
        let port = exporter.server.boundPort
        try await offPool {
            let client = try RawClient(port: port)
            for path in ["/-/healthy", "/-/ready"] { #expect(try client.get(path).status == 200, "\(path)") }
            for path in ["/metrics", "/", "/config", "/api/v1/providers", "/probe?provider=local", "/nope"] {
                let r = try client.get(path)
                if path == "/nope" { #expect(r.status == 404); continue }
                #expect(r.status == 401, "\(path)")
                #expect(r.headers["www-authenticate"] == "Basic realm=\"provider_exporter\"", "\(r.headers)")
            }
            #expect(try client.get("/-/reload", method: "POST").status == 401)
            #expect(try client.get("/metrics", headers: [Self.header("alice", "wrong")]).status == 401)
            #expect(try client.get("/metrics", headers: [Self.header("mallory", "test-password")]).status == 401)
            #expect(try client.get("/metrics", headers: ["Authorization: Bearer x"]).status == 401)
            #expect(try client.get("/metrics", headers: ["Authorization: Basic %%%"]).status == 401)

            // The first good request pays for bcrypt; later ones are a lookup.
            let first = Date()
            #expect(try client.get("/metrics", headers: [Self.header("alice", "test-password")]).status == 200)
            let firstTook = Date().timeIntervalSince(first)
            var later: [Double] = []
            for _ in 0..<20 {
                let t = Date()
                #expect(try client.get("/-/healthy", headers: [Self.header("alice", "test-password")]).status == 200)
                #expect(try client.get("/config", headers: [Self.header("alice", "test-password")]).status == 200)
                later.append(Date().timeIntervalSince(t))
            }
            #expect(firstTook > 0.01, "bcrypt at cost 10 takes tens of ms: \(firstTook)")
            #expect(later.max()! < 0.02, "remembered credentials must be cheap: \(later.max()!)")
        }
    }

    /// An unknown user costs a bcrypt check too (no shortcut that tells
    /// which names exist), and a flood of wrong passwords does not stall an
    /// authenticated scrape or the open routes.
    @Test func unknownUsersTakeAsLongAndFloodsDoNotStall() async throws {
        let auth = BasicAuth(WebConfig(users: ["alice": Self.hash2b]))
        func timed(_ user: String) async -> Double {
            let t = Date()
            _ = await auth.verify(user: user, password: "wrong")
            return Date().timeIntervalSince(t)
        }
        var known: [Double] = [], unknown: [Double] = []
        for _ in 0..<3 {
            known.append(await timed("alice"))
            unknown.append(await timed("nobody"))
        }
        let k = known.sorted()[1], u = unknown.sorted()[1]
        #expect(u > k * 0.5 && u < k * 2, "known \(known), unknown \(unknown)")

        #expect(await auth.verify(user: "alice", password: "test-password"))
        // 200 wrong attempts at once: at most maxPending hash at a time, the
        // rest are refused at once; the remembered pair still passes at once.
        let start = Date()
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 { group.addTask { await auth.verify(user: "alice", password: "wrong-\(i)") } }
            let t = Date()
            #expect(auth.decide(Self.header("alice", "test-password").replacingOccurrences(of: "Authorization: ", with: "")) == .allowed)
            #expect(Date().timeIntervalSince(t) < 0.01)
            for await ok in group { #expect(!ok) }
        }
        // 16 checks on a 2-core machine at ~60 ms each: well under 200 × 60 ms.
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
