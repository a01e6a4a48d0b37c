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
        #expect(Self.errors("http_server_config: {http2: false}\n")
            == ["web.yml:1:1: http_server_config: not supported by provider_exporter (HTTP/2, extra response headers and rate limits are not served)"])
        #expect(Self.errors("basic_auth_user: {}\n") == ["web.yml:1:1: file: unknown key 'basic_auth_user' (known: basic_auth_users, tls_server_config)"])
        #expect(Self.errors("basic_auth_users: {}\n") == ["web.yml:1:19: basic_auth_users: no users: every protected route would refuse everyone"])
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
            let auth = try #require(exporter.auth)
            let before = auth.checksRun.load(ordering: .relaxed)
            #expect(try client.get("/metrics", headers: [Self.header("alice", "test-password")]).status == 200)
            #expect(auth.checksRun.load(ordering: .relaxed) == before + 1)
            for _ in 0..<20 {
                #expect(try client.get("/-/healthy", headers: [Self.header("alice", "test-password")]).status == 200)
                #expect(try client.get("/config", headers: [Self.header("alice", "test-password")]).status == 200)
            }
            #expect(auth.checksRun.load(ordering: .relaxed) == before + 1, "remembered credentials are never hashed again")
        }
    }

    /// An unknown user costs a bcrypt check too (no shortcut that tells
    /// which names exist), and a flood of wrong passwords does not stall an
    /// authenticated scrape: at most `maxPending` hash at once, the rest are
    /// refused without hashing, and a remembered pair passes without waiting.
    @Test func unknownUsersCostACheckAndFloodsDoNotStall() async throws {
        let auth = BasicAuth(WebConfig(users: ["alice": Self.hash2b]))
        #expect(await !auth.verify(user: "alice", password: "wrong"))
        #expect(auth.checksRun.load(ordering: .relaxed) == 1)
        #expect(await !auth.verify(user: "nobody", password: "wrong"))
        #expect(auth.checksRun.load(ordering: .relaxed) == 2, "an unknown user is hashed like a known one")

        #expect(await auth.verify(user: "alice", password: "test-password"))
        let header = Self.header("alice", "test-password").replacingOccurrences(of: "Authorization: ", with: "")
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 { group.addTask { await auth.verify(user: "alice", password: "wrong-\(i)") } }
            #expect(auth.decide(header) == .allowed)
            var refused = 0
            for await ok in group { if !ok { refused += 1 } }
            #expect(refused == 200)
        }
        #expect(auth.mostPending.load(ordering: .relaxed) <= BasicAuth.maxPending)
        #expect(auth.checksRun.load(ordering: .relaxed) <= 3 + 200)
    }
}
