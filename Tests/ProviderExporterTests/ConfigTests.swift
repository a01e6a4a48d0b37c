import Foundation
import Testing
@testable import ProviderExporter

/// Fake environment: two keys and two files; everything else is unset.
let fakeEnvironment = ConfigEnvironment(
    variable: { ["OPENAI_API_KEY": "test-key-openai-123", "ORG_KEY": "test-org-secret-456", "EMPTY": ""][$0] },
    readFile: { ["/run/secrets/anthropic": Array("test-key-file-789\n".utf8), "/empty": [], "/ca.pem": Array("pem".utf8)][$0] })

func loadConfig(_ yaml: String) throws(ConfigErrors) -> ExporterConfig {
    try ConfigLoader.parse(yaml, fileName: "cfg.yml", environment: fakeEnvironment)
}

func configErrors(_ yaml: String) -> [String] {
    do {
        _ = try loadConfig(yaml)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

@Suite struct ConfigTests {
    static let minimal = "providers:\n  - name: gw\n    preset: openai_compatible\n    base_url: http://127.0.0.1:8000/v1\n"

    /// One invalid config per rule, each with its exact message and position.
    @Test(arguments: [
        ("", "cfg.yml:1:1: config: the file is empty: it needs at least a providers: list"),
        ("global: {}\n", "cfg.yml:1:1: config: missing key 'providers'"),
        ("providers: []\n", "cfg.yml:1:12: providers: expected a list with at least one provider"),
        ("providers:\n  - name: a\n    preset: openai_compatible\n    base_url: http://h\n    intervall: 5s\n",
         "cfg.yml:5:5: providers[0]: unknown key 'intervall' (did you mean 'interval'?)"),
        ("providerz: []\n", "cfg.yml:1:1: config: unknown key 'providerz' (did you mean 'providers'?)"),
        ("providers:\n  - preset: openai\n", "cfg.yml:2:5: providers[0]: missing key 'name'"),
        ("providers:\n  - name: Open AI\n    preset: openai\n    api_key_env: OPENAI_API_KEY\n",
         "cfg.yml:2:11: providers[0].name: 'Open AI' must be 1-64 characters of a-z, 0-9, _ and -"),
        ("providers:\n  - name: \(String(repeating: "a", count: 65))\n    preset: openai\n    api_key_env: OPENAI_API_KEY\n",
         "cfg.yml:2:11: providers[0].name: '\(String(repeating: "a", count: 65))' must be 1-64 characters of a-z, 0-9, _ and -"),
        (minimal + "  - name: gw\n    preset: openai_compatible\n    base_url: http://h\n",
         "cfg.yml:5:5: providers[1]: duplicate provider name 'gw' (first at line 2)"),
        ("providers:\n  - name: a\n    preset: opnai\n",
         "cfg.yml:3:13: providers[0].preset: unknown preset 'opnai' (did you mean 'openai'?); known: openai, anthropic, gemini, groq, openrouter, together, mistral, deepseek, xai, cohere, nvidia, huggingface, openai_compatible"),
        ("providers:\n  - name: a\n    preset: openai_compatible\n",
         "cfg.yml:2:5: providers[0]: preset 'openai_compatible' needs base_url"),
        ("providers:\n  - name: a\n    preset: openai_compatible\n    base_url: ftp://h/v1\n",
         "cfg.yml:4:15: providers[0].base_url: 'ftp://h/v1' is not an http:// or https:// URL with a host"),
        ("providers:\n  - name: a\n    preset: openai_compatible\n    base_url: http:///v1\n",
         "cfg.yml:4:15: providers[0].base_url: 'http:///v1' is not an http:// or https:// URL with a host"),
        (minimal + "    interval: 5x\n", "cfg.yml:5:15: providers[0].interval: '5x' is not a duration (like 500ms, 30s, 5m, 1h30m)"),
        (minimal + "    interval: 1m5h\n", "cfg.yml:5:15: providers[0].interval: '1m5h' is not a duration (like 500ms, 30s, 5m, 1h30m)"),
        (minimal + "    interval: 0s\n", "cfg.yml:5:15: providers[0].interval: must be longer than 0s"),
        (minimal + "    timeout: 2m\n", "cfg.yml:5:14: providers[0]: timeout 2m must be shorter than interval 1m"),
        (minimal + "    checks:\n      - {name: m, type: models, interval: 10s, timeout: 15s}\n",
         "cfg.yml:6:57: providers[0].checks[0]: timeout 15s must be shorter than interval 10s"),
        ("global:\n  timeout: 90s\n" + minimal, "cfg.yml:2:12: global: timeout 1m30s must be shorter than interval 1m"),
        ("global:\n  failure_threshold: 0\n" + minimal, "cfg.yml:2:22: global.failure_threshold: must be at least 1, not 0"),
        ("global:\n  failure_threshold: three\n" + minimal, "cfg.yml:2:22: global.failure_threshold: expected an integer"),
        ("global:\n  max_concurrent_probes: -1\n" + minimal, "cfg.yml:2:26: global.max_concurrent_probes: must be from 1 to 100000, not -1"),
        ("global:\n  buckets: [1, 0.5]\n" + minimal, "cfg.yml:2:12: global.buckets: bucket bounds must be positive and strictly increasing"),
        ("global:\n  buckets: [1, x]\n" + minimal, "cfg.yml:2:16: global.buckets: 'x' is not a number of seconds"),
        ("global:\n  buckets: []\n" + minimal, "cfg.yml:2:12: global.buckets: expected a non-empty list of upper bounds in seconds"),
        ("global: [1]\n" + minimal, "cfg.yml:1:9: global: expected a mapping (key: value lines)"),
        ("providers:\n  - name: a\n    preset: openai\n    api_key_env: MISSING_KEY\n",
         "cfg.yml:4:18: providers[0].api_key_env: environment variable MISSING_KEY is not set"),
        ("providers:\n  - name: a\n    preset: openai\n    api_key_env: EMPTY\n",
         "cfg.yml:4:18: providers[0].api_key_env: environment variable EMPTY is not set"),
        ("providers:\n  - name: a\n    preset: openai\n    api_key_file: /nope\n",
         "cfg.yml:4:19: providers[0].api_key_file: cannot read '/nope'"),
        ("providers:\n  - name: a\n    preset: openai\n    api_key_file: /empty\n",
         "cfg.yml:4:19: providers[0].api_key_file: '/empty' is empty"),
        ("providers:\n  - name: a\n    preset: openai\n    api_key_env: OPENAI_API_KEY\n    api_key_file: /run/secrets/anthropic\n",
         "cfg.yml:4:18: providers[0]: api_key_env and api_key_file are mutually exclusive"),
        (minimal + "    secret_headers_env: {X-Org-Key: NOPE}\n",
         "cfg.yml:5:25: providers[0].secret_headers_env: environment variable NOPE for header X-Org-Key is not set"),
        (minimal + "    headers: {\"Bad Header\": x}\n", "cfg.yml:5:15: providers[0].headers: 'Bad Header' is not a valid header name"),
        ("providers:\n  - name: a\n", "cfg.yml:2:5: providers[0]: nothing to monitor: no checks and no status page"),
        (minimal + "    checks:\n      - {name: m, type: modles}\n",
         "cfg.yml:6:25: providers[0].checks[0].type: unknown check type 'modles'; known: models, chat, http, balance"),
        (minimal + "    checks:\n      - {name: m, type: models, max_tokens: 5}\n",
         "cfg.yml:6:33: providers[0].checks[0]: 'max_tokens' applies to chat checks, not models"),
        (minimal + "    checks:\n      - {name: b, type: balance}\n",
         "cfg.yml:6:25: providers[0].checks[0].type: balance checks need a preset with a balance endpoint (openrouter, deepseek)"),
        ("providers:\n  - name: or\n    preset: openrouter\n    checks: [{name: b, type: balance}]\n",
         "cfg.yml:4:14: providers[0].checks[0]: a balance check needs the provider's API key (api_key_env or api_key_file)"),
        (minimal + "    checks:\n      - {type: models}\n", "cfg.yml:6:9: providers[0].checks[0]: missing key 'name'"),
        (minimal + "    checks:\n      - {name: m, type: models}\n      - {name: m, type: models}\n",
         "cfg.yml:7:9: providers[0].checks[1]: duplicate check name 'm'"),
        (minimal + "    checks:\n      - {name: status_page, type: models}\n",
         "cfg.yml:6:16: providers[0].checks[0].name: 'status_page' is reserved for the provider's status page"),
        (minimal + "    checks:\n      - {name: h, type: http}\n", "cfg.yml:6:9: providers[0].checks[0]: missing key 'url' (http checks need one)"),
        (minimal + "    checks:\n      - {name: h, type: http, url: 'http://h', expect_body: '(unclosed'}\n",
         "cfg.yml:6:61: providers[0].checks[0].expect_body: invalid regular expression: expected ')'"),
        (minimal + "    checks:\n      - {name: h, type: http, url: 'http://h', method: FETCH}\n",
         "cfg.yml:6:56: providers[0].checks[0].method: unknown method 'FETCH'"),
        (minimal + "    checks:\n      - {name: h, type: http, url: 'http://h', expect_status: [200, 7xx]}\n",
         "cfg.yml:6:69: providers[0].checks[0].expect_status: '7xx' is not a status code (100-599) or class (like 2xx)"),
        (minimal + "    checks:\n      - {name: m, type: models, url: 'http://h'}\n",
         "cfg.yml:6:33: providers[0].checks[0]: 'url' applies to http checks, not models"),
        (minimal + "    checks:\n      - {name: h, type: http, url: 'http://h', follow_redirects: maybe}\n",
         "cfg.yml:6:66: providers[0].checks[0].follow_redirects: expected true or false"),
        ("providers:\n  - name: a\n    checks:\n      - {name: m, type: models}\n",
         "cfg.yml:4:9: providers[0].checks[0]: a models check needs the provider's base_url (or a preset that has one)"),
        (minimal + "    status_page: {format: statuspage}\n", "cfg.yml:5:18: providers[0].status_page: missing key 'url' (or write status_page: false)"),
        (minimal + "    status_page: {url: 'https://s', format: atom}\n",
         "cfg.yml:5:45: providers[0].status_page.format: unknown format 'atom'; known: statuspage, betterstack, google_cloud, datadog, rss, flashduty"),
        (minimal + "    status_page: {url: 'https://s', format: google_cloud}\n",
         "cfg.yml:5:18: providers[0].status_page: format google_cloud needs products: [...]"),
        (minimal + "    tls: {ca_file: /missing.pem}\n", "cfg.yml:5:20: providers[0].tls.ca_file: cannot read '/missing.pem'"),
        (minimal + "    priority: -1\n", "cfg.yml:5:15: providers[0].priority: must be at least 0, not -1"),
        (minimal + "    models_path: models\n", "cfg.yml:5:18: providers[0].models_path: must start with /"),
        ("providers:\n  - name: a\n\tpreset: x\n", "cfg.yml:3:1: syntax: tabs are not allowed in indentation"),
        ("providers: &p\n  - name: a\n", "cfg.yml:1:12: syntax: anchors (&) are not supported"),
    ] as [(String, String)])
    func badConfig(yaml: String, expected: String) {
        let errors = configErrors(yaml)
        #expect(errors.contains(expected), "got \(errors)")
    }

    /// A global timeout that does not fit the global interval is reported once,
    /// at `global:`, not again for every provider and check that inherits it;
    /// a provider that sets its own timing is still checked.
    @Test func inheritedTimingIsReportedOnce() {
        let errors = configErrors("global:\n  timeout: 90s\n" + Self.minimal + "  - name: gw2\n    preset: openai_compatible\n    base_url: http://h/v1\n")
        #expect(errors == ["cfg.yml:2:12: global: timeout 1m30s must be shorter than interval 1m"], "got \(errors)")
        let own = configErrors("global:\n  timeout: 90s\n" + Self.minimal + "    interval: 1m\n")
        #expect(own.count == 2, "got \(own)")
    }

    /// Regression: the file limit was 1 MiB, under what 10,000 checks take
    /// (found by Tests/bench/probe_scale.sh), and the error then quoted a stale
    /// errno ("Inappropriate ioctl for device"). A 2 MB file loads; one over
    /// the limit says so.
    @Test func largeConfigFilesLoadAndTooLargeSaysWhy() throws {
        var text = "providers:\n"
        var i = 0
        while text.utf8.count < 2_000_000 {
            text += "  - name: c\(i)\n    preset: openai_compatible\n    base_url: http://127.0.0.1:9/c\(i)/v1\n"
            i += 1
        }
        let path = try TestBinary.writeTemp("large.yml", text)
        let config = try ConfigLoader.load(file: path)
        #expect(config.providers.count == i)
        let huge = try TestBinary.writeTemp("huge.yml", text + String(repeating: "#", count: ConfigEnvironment.maxFileBytes))
        do {
            _ = try ConfigLoader.load(file: huge)
            Issue.record("a file over the limit loaded")
        } catch {
            #expect(error.errors.map(\.description) == ["\(huge): cannot read: File too large"])
        }
    }

    @Test func allErrorsAreReportedInFileOrder() {
        let errors = configErrors("""
        global:
          interval: soon
        providers:
          - name: A
            preset: nope
          - name: b
            preset: openai_compatible
            base_url: http://h
            typo: 1
        """)
        #expect(errors.count == 4, "\(errors)")
        #expect(errors.map { $0.split(separator: ":")[1] } == ["2", "4", "5", "9"])
    }

    @Test(arguments: [("500ms", 500), ("10s", 10_000), ("5m", 300_000), ("1h30m", 5_400_000), ("0", 0), ("0s", 0),
                      ("2d", 172_800_000), ("1w", 604_800_000), ("1y", 31_536_000_000), ("1m500ms", 60_500)] as [(String, Int64)])
    func durations(text: String, ms: Int64) {
        #expect(PromDuration(parsing: text)?.milliseconds == ms)
    }

    @Test(arguments: ["", "5", "s", "1.5s", "-1s", "1s1m", "5 m", "1h1h", "10S", "99999999999999999999y"])
    func badDurations(text: String) {
        #expect(PromDuration(parsing: text) == nil)
    }

    @Test(arguments: [(90_000, "1m30s"), (500, "500ms"), (0, "0s"), (3_600_000, "1h"), (86_400_000 + 1, "1d1ms")] as [(Int64, String)])
    func durationText(ms: Int64, text: String) {
        #expect(PromDuration(milliseconds: ms).description == text)
    }

    /// The README's configuration example, with its keys faked.
    static let specExample = """
    global:
      interval: 60s            # how often each check runs
      timeout: 10s             # per probe; must be < interval
      failure_threshold: 3
      degraded_latency: 2s
      backoff_max: 5m
      max_concurrent_probes: 64
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    providers:
      - name: openai
        preset: openai
        api_key_env: OPENAI_API_KEY
        priority: 1
      - name: local-vllm
        preset: openai_compatible
        base_url: http://127.0.0.1:8000/v1
        headers: {X-Team: search}
        secret_headers_env: {X-Org-Key: ORG_KEY}
        checks:
          - {name: models, type: models, expect_model: llama-3.1-8b}
          - {name: health, type: http, url: http://127.0.0.1:8000/health, expect_status: [200], expect_body: '"ok"', timeout: 2s}
      - name: github
        status_page: {url: https://www.githubstatus.com, format: statuspage, components: ["API Requests"]}
      - name: keyfile
        preset: openai
        api_key_file: /run/secrets/anthropic
        status_page: false
        interval: 30s
    """

    @Test func specExampleLoadsWithPresetsAndOverridesApplied() throws {
        let config = try loadConfig(Self.specExample)
        #expect(config.providers.map(\.name) == ["openai", "local-vllm", "github", "keyfile"])
        let openai = config.providers[0]
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.apiKey?.revealed == "test-key-openai-123")
        #expect(openai.checks.map(\.name) == ["models"])
        #expect(openai.statusPage?.url == "https://status.openai.com")
        #expect(openai.priority == 1)
        let vllm = config.providers[1]
        #expect(vllm.checks.map(\.type) == [.models, .http])
        #expect(vllm.checks[0].expectModel == "llama-3.1-8b")
        #expect(vllm.checks[1].headers.map(\.name) == ["X-Team"])
        #expect(vllm.checks[1].timeout == .seconds(2) && vllm.checks[1].interval == .seconds(60))
        #expect(vllm.checks[1].expectStatus.matches(200) && !vllm.checks[1].expectStatus.matches(201))
        #expect(vllm.secretHeaders.map(\.value.revealed) == ["test-org-secret-456"])
        #expect(vllm.statusPage == nil)
        #expect(config.providers[2].checks.isEmpty && config.providers[2].statusPage?.components == ["API Requests"])
        let keyfile = config.providers[3]
        #expect(keyfile.apiKey?.revealed == "test-key-file-789") // trailing newline trimmed
        #expect(keyfile.statusPage == nil && keyfile.checks[0].interval == .seconds(30))
    }

    @Test func printedConfigLoadsBackToTheSamePrint() throws {
        let first = ConfigPrinter.yaml(try loadConfig(Self.specExample))
        let second = ConfigPrinter.yaml(try loadConfig(first))
        #expect(first == second)
    }

    /// --config.print output, saved and loaded, behaves like the config it came
    /// from, also when a key is exported later: preset providers print no
    /// `checks:` key, and provider-level settings survive.
    @Test func printedConfigFollowsKeysExportedLater() throws {
        func environment(_ vars: [String: String]) -> ConfigEnvironment {
            ConfigEnvironment(variable: { vars[$0] }, readFile: { _ in nil })
        }
        let none = environment([:]), keyed = environment(["OPENAI_API_KEY": "test-key-later-1", "OPENROUTER_API_KEY": "test-key-later-2"])
        let printed = ConfigPrinter.yaml(BuiltInConfig.make(environment: none))
        #expect(!printed.contains("checks: []"))
        #expect(printed.contains("# checks from the preset: none until OPENAI_API_KEY is set"))
        let saved = try ConfigLoader.parse(printed, fileName: "saved.yml", environment: none)
        #expect(saved.providers.allSatisfy { $0.checks.isEmpty })
        // The key arrives: the saved file now has the checks the built-in default would have.
        let later = try ConfigLoader.parse(printed, fileName: "saved.yml", environment: keyed)
        let builtIn = BuiltInConfig.make(environment: keyed)
        #expect(later.providers.filter { $0.statusPage != nil || !$0.checks.isEmpty }.map(\.name)
            == builtIn.providers.filter { $0.statusPage != nil }.map(\.name))
        #expect(later.providers.first { $0.name == "openai" }?.checks.map(\.name) == ["models"])
        // Provider-level settings of preset checks are printed at provider level.
        let tuned = try loadConfig("providers:\n  - name: o\n    preset: openai\n    interval: 30s\n    failure_threshold: 5\n    headers: {X-Team: a}\n")
        let back = try ConfigLoader.parse(ConfigPrinter.yaml(tuned), fileName: "p.yml", environment: fakeEnvironment)
        #expect(back.providers[0].checks.map(\.interval) == [.seconds(30)])
        #expect(back.providers[0].checks.map(\.failureThreshold) == [5])
        #expect(back.providers[0].checks[0].headers.map(\.value) == ["a"])
        #expect(back.providers[0].statusPage?.interval == .seconds(30))
        #expect(ConfigPrinter.yaml(back) == ConfigPrinter.yaml(tuned))
    }

    @Test func unreadableFileSaysSoWithoutAPosition() {
        do {
            _ = try ConfigLoader.load(file: "/nonexistent/cfg.yml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "/nonexistent/cfg.yml: cannot read: No such file or directory")
        }
    }

    @Test func secretsNeverAppearInPrintSummaryOrErrors() throws {
        let config = try loadConfig(Self.specExample)
        let printed = ConfigPrinter.yaml(config) + ConfigPrinter.summary(config).joined() + "\(config.providers)"
        for secret in ["test-key-openai-123", "test-org-secret-456", "test-key-file-789"] {
            #expect(!printed.contains(secret))
        }
        #expect(printed.contains("# <secret>"))
        #expect("\(Secret("test-key-openai-123"))" == "<secret>")
        var dumped = ""
        dump(Secret("test-key-openai-123"), to: &dumped)
        #expect(!dumped.contains("test-key"))
        // An error about a bad secret-bearing config names the variable, never a value.
        let errors = configErrors(Self.specExample.replacingOccurrences(of: "priority: 1", with: "priority: x"))
        #expect(!errors.joined().contains("test-key"))
    }

    @Test func builtInDefaultMonitorsStatusPagesAndAddsModelsWithAKey() {
        let bare = BuiltInConfig.make(environment: emptyEnvironment)
        #expect(bare.providers.map(\.name) == ["openai", "anthropic", "gemini", "groq", "openrouter", "together", "deepseek", "xai",
                                               "cohere", "nvidia", "huggingface"])
        #expect(bare.providers.allSatisfy { $0.checks.isEmpty && $0.statusPage != nil })
        let keyed = BuiltInConfig.make(environment: ConfigEnvironment(
            variable: { ["OPENAI_API_KEY": "test-key-1", "MISTRAL_API_KEY": "test-key-2", "GOOGLE_API_KEY": "test-key-3"][$0] },
            readFile: { _ in nil }))
        #expect(keyed.providers.map(\.name) == ["openai", "anthropic", "gemini", "groq", "openrouter", "together", "mistral", "deepseek",
                                                "xai", "cohere", "nvidia", "huggingface"])
        #expect(keyed.providers[0].checks.map(\.name) == ["models"])
        #expect(keyed.providers[0].apiKeySource == .presetVariable("OPENAI_API_KEY"))
        // Gemini's second variable works too; Mistral has no page, so it appears only with its key.
        #expect(keyed.providers[2].apiKeySource == .presetVariable("GOOGLE_API_KEY") && keyed.providers[2].checks.count == 1)
        #expect(keyed.providers[6].statusPage == nil && keyed.providers[6].checks.count == 1)
        // OpenRouter is listed by its Datadog page.
        #expect(bare.providers[4].statusPage?.format == .datadog && bare.providers[4].statusPage?.url == "https://status.openrouter.ai")
        // DeepSeek by its FlashDuty page, xAI by its RSS feed, NVIDIA by NGC's Statuspage page.
        #expect(bare.providers[6].statusPage?.format == .flashduty
                && bare.providers[6].statusPage?.url == "https://status.deepseek.com/api/status-page/6410630422455")
        #expect(bare.providers[7].statusPage?.format == .rss && bare.providers[7].statusPage?.url == "https://status.x.ai/feed.xml")
        #expect(bare.providers[9].statusPage?.format == .statuspage && bare.providers[9].statusPage?.url == "https://status.ngc.nvidia.com")
    }
}

@Suite struct ReadmeExamplesTests {
    /// Every ```yaml block of README.md that has `providers:` must load.
    @Test func readmeConfigExamplesLoad() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        // Exporter configs; Grafana's provisioning file has a providers: key too.
        let configs = blocks.filter { $0.contains("providers:") && !$0.contains("apiVersion:") }
        #expect(configs.count >= 1)
        // Any variable or file an example names resolves to an obvious fake.
        let anything = ConfigEnvironment(variable: { _ in "test-fake-value" }, readFile: { _ in Array("test-fake-file\n".utf8) })
        for yaml in configs {
            #expect(throws: Never.self) { try ConfigLoader.parse(yaml, fileName: "README.md", environment: anything) }
        }
    }
}
