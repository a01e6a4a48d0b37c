import Foundation
import Testing
@testable import ProviderExporter

/// Every preset, checked against what its provider documents (README, "Providers").
@Suite(.serialized) struct PresetTests {
    /// preset, the models request's URL, the auth headers it sends with key `test-key-123`.
    static let requests: [(String, String, [String: String])] = [
        ("openai", "https://api.openai.com/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("anthropic", "https://api.anthropic.com/v1/models", ["x-api-key": "test-key-123", "anthropic-version": "2023-06-01"]),
        ("gemini", "https://generativelanguage.googleapis.com/v1beta/models", ["x-goog-api-key": "test-key-123"]),
        ("groq", "https://api.groq.com/openai/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("openrouter", "https://openrouter.ai/api/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("together", "https://api.together.xyz/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("mistral", "https://api.mistral.ai/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("deepseek", "https://api.deepseek.com/models", ["Authorization": "Bearer test-key-123"]),
        ("xai", "https://api.x.ai/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("cohere", "https://api.cohere.com/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("nvidia", "https://integrate.api.nvidia.com/v1/models", ["Authorization": "Bearer test-key-123"]),
        ("huggingface", "https://router.huggingface.co/v1/models", ["Authorization": "Bearer test-key-123"]),
    ]

    static let keyEnvironment = ConfigEnvironment(variable: { _ in "test-key-123" }, readFile: { _ in nil })

    /// A provider of `preset` with a key. `modelsCheck`: a `models` check even where
    /// the preset's default check is another (OpenRouter's `key`).
    static func provider(_ preset: String, baseURL: String? = nil, modelsCheck: Bool = true) throws -> ProviderConfig {
        var yaml = "providers:\n  - name: p\n    preset: \(preset)\n    api_key_env: KEY\n"
        if let baseURL { yaml += "    base_url: \(baseURL)\n" }
        if modelsCheck && Preset.named(preset)?.defaultCheck.type != .models { yaml += "    checks: [{name: models, type: models}]\n" }
        return try ConfigLoader.parse(yaml, fileName: "t.yml", environment: keyEnvironment).providers[0]
    }

    @Test func everyPresetHasARow() {
        #expect(Set(Self.requests.map(\.0)) == Set(Preset.all.map(\.name)).subtracting(["openai_compatible"]))
    }

    /// The default check a key enables: `models`, except OpenRouter, whose model
    /// list answers without a key; its `key` check (GET /key) needs the key, so a
    /// revoked key or exhausted credit shows.
    @Test func defaultCheckNeedsTheKey() throws {
        for preset in Preset.all.map(\.name) where preset != "openai_compatible" {
            let p = try Self.provider(preset, modelsCheck: false)
            let expected = preset == "openrouter" ? ["key"] : ["models"]
            #expect(p.checks.map(\.name) == expected, "\(preset)")
            #expect(p.checks.map(\.type) == [preset == "openrouter" ? .balance : .models], "\(preset)")
        }
    }

    @Test func openRouterKeyCheckIsAuthenticatedAndFailsOnARevokedKey() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let p = try Self.provider("openrouter", baseURL: fake.baseURL + "/api/v1", modelsCheck: false)
        fake.set("/api/v1/key", FakeProvider.Script(status: 401, body: try fixture("errors/openrouter-401.json")))
        let revoked = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)
        #expect(revoked?.result == .auth_error)
        #expect(fake.requests.first?.headers["authorization"] == "Bearer test-key-123")
        fake.set("/api/v1/key", FakeProvider.Script(status: 402, body: try fixture("errors-recorded/openrouter-402-insufficient_credits.json")))
        let broke = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)
        #expect(broke?.result == .quota_exhausted)
    }

    @Test(arguments: requests)
    func modelsRequest(preset: String, url: String, headers: [String: String]) throws {
        let p = try Self.provider(preset)
        #expect(p.checks.map(\.name) == ["models"])
        #expect((p.baseURL ?? "") + p.modelsPath == url)
        let request = Checks.baseRequest(url: url, check: p.checks[0], provider: p, timeout: 5, withKey: true)
        var sent: [String: String] = [:]
        for (name, value) in request.headers { sent[name] = value }
        for (name, value) in request.secretHeaders { sent[name] = value.revealed }
        #expect(sent == headers)
        #expect(request.method == "GET" && request.maxRedirects == 0)
    }

    /// Each preset's models check against a fake serving its provider's list shape
    /// (recorded lists where there is one).
    @Test(arguments: ["openai", "anthropic", "gemini", "groq", "openrouter", "together", "mistral", "deepseek", "xai",
                      "cohere", "nvidia", "huggingface"])
    func modelsCheckSucceedsAgainstItsFake(preset: String) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let path = URL(string: try Self.provider(preset).baseURL!)!.path + (try Self.provider(preset).modelsPath)
        let body: [UInt8] = switch preset {
        case "openai": try fixture("models/openai.json")
        case "gemini": try fixture("models/gemini.json")
        case "openrouter": try fixture("models/openrouter.json")
        case "together": Array(#"[{"id":"meta-llama/Llama-3-8b","object":"model"}]"#.utf8)       // synthetic: a bare array
        case "cohere": Array(#"{"models":[{"name":"command-r"}]}"#.utf8)                           // synthetic
        case "anthropic": Array(#"{"data":[{"id":"claude-x","type":"model"}],"has_more":false}"#.utf8) // synthetic
        default: Array(#"{"object":"list","data":[{"id":"m"}]}"#.utf8)                              // synthetic
        }
        fake.set(path, FakeProvider.Script(body: body))
        let base = try Self.provider(preset).baseURL!
        let p = try Self.provider(preset, baseURL: fake.baseURL + URL(string: base)!.path)
        let outcome = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)
        #expect(outcome?.result == .success, "\(String(describing: outcome?.error))")
        #expect(fake.requests.first?.path == path)
    }

    /// Each provider's recorded errors, by preset.
    @Test(arguments: [
        ("anthropic", ["anthropic-401-authentication_error": ProbeResult.auth_error, "anthropic-529-overloaded_error": .overloaded,
                       "anthropic-400-invalid_request_error": .request_error, "anthropic-404-not_found_error": .request_error,
                       "recorded/anthropic-404-not_found_error-retired_model": .request_error]),
        ("openai", ["openai-401-invalid_api_key": .auth_error, "openai-404-model_not_found": .request_error,
                    "openai-400-invalid_image_url": .request_error, "recorded/openai-403-unsupported_country_region_territory": .blocked,
                    "recorded/openai-400-unsupported_parameter": .request_error, "recorded/openai-429-requests_per_day": .rate_limited]),
        ("gemini", ["gemini-429-resource_exhausted": .rate_limited, "gemini-404-not_found": .request_error,
                    "recorded/gemini-429-per_minute": .rate_limited, "recorded/gemini-429-per_day": .quota_exhausted,
                    "recorded/gemini-400-api_key_invalid": .auth_error, "recorded/gemini-400-failed_precondition": .blocked]),
        ("groq", ["groq-404-model_not_found": .request_error]),
        ("openrouter", ["openrouter-401": .auth_error, "recorded/openrouter-400-provider_returned_error": .request_error]),
        ("xai", ["recorded/xai-429-credits_exhausted": .quota_exhausted, "recorded/xai-403-credits_exhausted": .quota_exhausted]),
        ("mistral", ["recorded/mistral-429-service_tier_capacity_exceeded": .overloaded, "recorded/mistral-401-unauthorized": .auth_error,
                     "recorded/mistral-429-rate_limited": .rate_limited]),
        ("together", ["recorded/together-429-credit_limit": .rate_limited]),
    ] as [(String, [String: ProbeResult])])
    func errorFixtures(preset: String, cases: [String: ProbeResult]) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let base = try Self.provider(preset).baseURL!
        let p = try Self.provider(preset, baseURL: fake.baseURL + URL(string: base)!.path)
        for (file, expected) in cases {
            let status = Int(file.split(separator: "-")[1])!
            let headers = (try? RecordedResponse("errors/\(file).headers.txt").headers.map { ($0.name, $0.value) }) ?? []
            let path = file.hasPrefix("recorded/") ? "errors-\(file).json" : "errors/\(file).json"
            fake.set(URL(string: p.baseURL!)!.path + p.modelsPath,
                     FakeProvider.Script(status: status, headers: headers.filter { $0.0.lowercased() != "content-length" && $0.0.lowercased() != "transfer-encoding" && $0.0.lowercased() != "content-encoding" },
                                         body: try fixture(path)))
            let outcome = await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3)
            #expect(outcome?.result == expected, "\(file)")
            // Gemini's RetryInfo is the retry hint, as Retry-After would be.
            if file.contains("429-per_") {
                #expect(outcome?.rateLimits.retryAfter == (file.contains("minute") ? 26 : 36), "\(file)")
            }
        }
    }
}

@Suite(.serialized) struct BalanceTests {
    /// synthetic: the documented shapes of OpenRouter's /key and DeepSeek's /user/balance.
    @Test(arguments: [
        ("openrouter", "/api/v1/key", #"{"data":{"label":"k","usage":1.5,"limit":10,"limit_remaining":8.5,"is_free_tier":false}}"#, ["USD": 8.5]),
        ("openrouter", "/api/v1/key", #"{"data":{"label":"k","usage":1.5,"limit":null,"limit_remaining":null}}"#, [:]),
        ("deepseek", "/user/balance", #"{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"},{"currency":"USD","total_balance":"2.50"}]}"#, ["CNY": 110, "USD": 2.5]),
    ] as [(String, String, String, [String: Double])])
    func balances(preset: String, path: String, body: String, expected: [String: Double]) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set(path, .json(200, body))
        let base = Preset.named(preset)!.baseURL!
        let config = try ConfigLoader.parse("""
        providers:
          - name: p
            preset: \(preset)
            base_url: \(fake.baseURL + URL(string: base)!.path)
            api_key_env: KEY
            checks: [{name: credit, type: balance}]
        """, fileName: "t.yml", environment: PresetTests.keyEnvironment)
        let store = StateStore()
        store.apply(config)
        let p = config.providers[0]
        let outcome = try #require(await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 3))
        #expect(outcome.result == .success && outcome.balances == expected)
        #expect(fake.requests.first?.headers["authorization"] == "Bearer test-key-123")
        store.record(provider: "p", check: "credit", outcome: outcome, finishedAt: 1)
        let text = exposition(store)
        for (currency, amount) in expected {
            #expect(text.contains("provider_credit_balance{check=\"credit\",currency=\"\(currency)\",provider=\"p\"} \(FloatFormat.format(amount))\n"))
        }
        if expected.isEmpty { #expect(!text.contains("provider_credit_balance{")) }
    }

    @Test(arguments: [("openrouter", #"{"error":"x"}"#), ("deepseek", #"{"balance_infos":[{"currency":"CNY"}]}"#), ("deepseek", "<html>")])
    func badBodiesAreInvalidResponse(preset: String, body: String) {
        let dialect = Preset.named(preset)!.balance!
        #expect(BalanceCheck.parse(Array(body.utf8), dialect: dialect).problem != nil)
    }
}
