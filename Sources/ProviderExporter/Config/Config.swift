/// The effective configuration: the file (or the built-in default) with
/// presets applied, defaults filled in, and secrets resolved. Every check
/// carries its own resolved interval, timeout and thresholds.
public struct ExporterConfig: Sendable {
    public var global: GlobalConfig
    public var providers: [ProviderConfig]
}

public struct GlobalConfig: Sendable, Equatable {
    /// `interval`, `timeout`, `failure_threshold`, `degraded_latency`.
    public var checks = CheckDefaults()
    public var backoffMax = PromDuration.seconds(300)
    public var maxConcurrentProbes = 64
    public var buckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    public init() {}
}

public struct TLSConfig: Sendable, Equatable {
    public var caFile: String?
    public var insecureSkipVerify = false
    public var serverName: String?
    public init() {}
}

/// Which statuses count as expected: exact codes and whole classes (`2xx`).
public struct StatusMatcher: Sendable, Equatable, CustomStringConvertible {
    public var codes: [Int] = []
    /// Leading digits of accepted classes: 2 for `2xx`.
    public var classes: [Int] = [2]

    public func matches(_ status: Int) -> Bool {
        codes.contains(status) || classes.contains(status / 100)
    }

    public var description: String {
        let parts = codes.map(String.init) + classes.map { "\($0)xx" }
        return parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
    }
}

public enum CheckType: String, Sendable, CaseIterable {
    case models, chat, http, balance

    /// The keys a check of this type may set besides the common ones: the one
    /// table the loader checks keys against.
    public var keys: [String] {
        switch self {
        case .models: ["expect_model"]
        case .chat: ["model", "max_tokens", "stream"]
        case .http: ["url", "method", "body", "expect_body", "follow_redirects"]
        case .balance: []
        }
    }
}

/// A check's kind with the fields that apply to it, so that a field of
/// another kind cannot be set. Dialects are resolved when the config loads: a
/// check whose provider has none is a config error, never a check that stops.
public enum CheckKind: Sendable, Equatable {
    /// `GET {base_url}{models_path}`; with a model, that model must be listed.
    case models(expectModel: String?)
    case chat(ChatSpec)
    case http(HTTPSpec)
    case balance(BalanceDialect)

    public var type: CheckType {
        switch self {
        case .models: .models
        case .chat: .chat
        case .http: .http
        case .balance: .balance
        }
    }
}

/// A `chat` check's completion request.
public struct ChatSpec: Sendable, Equatable {
    public var model: String
    public var maxTokens = 1
    public var stream = false
    public var dialect: ChatDialect
}

/// An `http` check's request and body check.
public struct HTTPSpec: Sendable, Equatable {
    public var url: String
    public var method = "GET"
    public var body: String?
    /// A regular expression the body must match.
    public var expectBody: String?
    public var followRedirects = true
}

public struct CheckConfig: Sendable {
    public var name: String
    public var kind: CheckKind
    public var interval: PromDuration
    public var timeout: PromDuration
    public var failureThreshold: Int
    public var degradedLatency: PromDuration
    public var expectStatus: StatusMatcher
    /// Extra request headers: the provider's, then the check's (which win).
    public var headers: [(name: String, value: String)]
    public var reuseConnections = false
    public var tls: TLSConfig?

    public var type: CheckType { kind.type }

    /// A check whose timing, threshold and expected status come from `defaults`.
    public init(name: String, kind: CheckKind, defaults: CheckDefaults, headers: [(name: String, value: String)] = [],
                tls: TLSConfig? = nil) {
        self.name = name
        self.kind = kind
        interval = defaults.interval
        timeout = defaults.timeout
        failureThreshold = defaults.failureThreshold
        degradedLatency = defaults.degradedLatency
        expectStatus = defaults.expectStatus
        self.headers = headers
        self.tls = tls
    }

    /// `models` checks: the model that must be listed.
    public var expectModel: String? {
        if case .models(let model) = kind { return model }
        return nil
    }

    /// `chat` checks: the request, nil for other kinds.
    public var chat: ChatSpec? {
        if case .chat(let spec) = kind { return spec }
        return nil
    }

    /// `http` checks: the request, nil for other kinds.
    public var http: HTTPSpec? {
        if case .http(let spec) = kind { return spec }
        return nil
    }
}

/// The status-page products the exporter reads; each has its decoder, listed
/// with its documents in `StatusPageFetcher.decoder(for:)`.
public enum StatusPageFormat: String, Sendable, CaseIterable {
    case statuspage, betterstack, google_cloud, datadog, rss, flashduty
}

public struct StatusPageConfig: Sendable, Equatable {
    public var url: String
    public var format: StatusPageFormat
    public var components: [String]?
    public var maxComponents = 50
    public var products: [String]?
    /// Follow up to 5 redirects (`follow_redirects: false` turns that off).
    public var followRedirects = true
    /// The provider's (or global) interval and timeout; set at load.
    public var interval = PromDuration.seconds(60)
    public var timeout = PromDuration.seconds(10)

    public init(url: String, format: StatusPageFormat) {
        self.url = url
        self.format = format
    }

    /// The series and log lines of a status page carry `check="status_page"`.
    public static let checkName = "status_page"

    /// `url` without a trailing slash: each format's decoder adds its documents' paths.
    var baseURL: String { url.hasSuffix("/") ? String(url.dropLast()) : url }
}

/// Where a provider's API key comes from; printed instead of the key.
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    case environment(String)
    case file(String)
    /// A preset provider without `api_key_env`/`api_key_file`: the first of the
    /// preset's conventional variables that is set (as the built-in default does).
    case presetVariable(String)

    public var description: String {
        switch self {
        case .environment(let name): "env \(name)"
        case .file(let path): "file \(path)"
        case .presetVariable(let name): "env \(name) (the preset's variable)"
        }
    }
}

/// The settings a check takes from the level above it, with their defaults
/// in one place: `global:` (`GlobalConfig.checks`), then a provider's
/// overrides (`ProviderConfig.checkDefaults`, kept so that `--config.print`
/// can write them at provider level), then the check's own.
public struct CheckDefaults: Sendable, Equatable {
    public var interval = PromDuration.seconds(60)
    public var timeout = PromDuration.seconds(10)
    public var failureThreshold = 3
    public var degradedLatency = PromDuration.seconds(2)
    public var expectStatus = StatusMatcher()
    public init() {}
}

public struct ProviderConfig: Sendable {
    public var name: String
    public var preset: String?
    /// From the preset; Bearer for providers without one.
    public var auth: AuthScheme = .bearer
    public var pagination: ModelListPagination = .none
    public var balance: BalanceDialect?
    /// The chat dialect; nil where the provider has none we speak (Cohere).
    public var chat: ChatDialect? = .openai
    public var baseURL: String?
    public var modelsPath: String
    public var apiKey: Secret?
    public var apiKeySource: SecretSource?
    public var priority: Int?
    public var headers: [(name: String, value: String)] = []
    /// Header name, environment variable, resolved value.
    public var secretHeaders: [(name: String, variable: String, value: Secret)] = []
    public var checks: [CheckConfig] = []
    /// Whether `checks` are the preset's defaults (no `checks:` key was given):
    /// the printer then writes no `checks:`, so a saved config still follows
    /// the key (README, "Command line", `--config.print`).
    public var checksFromPreset = false
    public var checkDefaults = CheckDefaults()
    /// The name of `max_tokens` in OpenAI-dialect chat bodies: the `openai`
    /// preset sends `max_completion_tokens` (OpenAI deprecated `max_tokens`, and
    /// its reasoning models reject it).
    public var chatMaxTokensField = "max_tokens"
    public var statusPage: StatusPageConfig?
    public var tls: TLSConfig?

    /// Every secret value the provider sends: its key and its secret headers.
    var secrets: [Secret] { (apiKey.map { [$0] } ?? []) + secretHeaders.map(\.value) }
}
