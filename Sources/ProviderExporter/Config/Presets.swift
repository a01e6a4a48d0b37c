/// How a provider wants its key.
public enum AuthScheme: Sendable, Equatable {
    /// `Authorization: Bearer KEY`.
    case bearer
    /// The key in a header of its own, plus fixed headers (Anthropic's version).
    case header(String, extra: [(String, String)])

    public static func == (a: AuthScheme, b: AuthScheme) -> Bool {
        switch (a, b) {
        case (.bearer, .bearer): true
        case (.header(let x, let ex), .header(let y, let ey)):
            x == y && ex.map { $0.0 + ":" + $0.1 } == ey.map { $0.0 + ":" + $0.1 }
        default: false
        }
    }
}

/// How a provider pages its model list, for `expect_model` (at most 10 pages).
public enum ModelListPagination: Sendable, Equatable {
    case none
    /// `has_more` and `last_id` in the body; the next page is `?PARAM=last_id`
    /// (OpenAI style `after`, Anthropic `after_id`), with `limit=` as page size.
    case afterID(param: String, limit: Int)
    /// `nextPageToken` in the body; the next page is `?pageToken=`, with `pageSize=` (Gemini).
    case pageToken(pageSize: Int)
}

/// How a provider takes a chat completion (`chat` checks).
public enum ChatDialect: String, Sendable, Equatable {
    /// `POST /chat/completions` (OpenAI and every OpenAI-compatible API).
    case openai
    /// `POST /messages`.
    case anthropic
    /// `POST /models/{model}:generateContent` (`:streamGenerateContent?alt=sse`).
    case gemini
}

/// Where and how a provider reports prepaid credit (`balance` checks).
public enum BalanceDialect: String, Sendable, Equatable {
    /// `GET /key`: `data.limit_remaining` in USD; null for unlimited keys.
    case openrouter
    /// `GET /user/balance`: `balance_infos[]` with `currency` and `total_balance`.
    case deepseek

    var path: String {
        switch self {
        case .openrouter: "/key"
        case .deepseek: "/user/balance"
        }
    }
}

/// Everything a preset fills in for a provider (README, "Providers"). Presets are
/// data: adding a provider is adding an entry to `Preset.all`.
public struct Preset: Sendable {
    public var name: String
    /// nil: the provider must give `base_url`.
    public var baseURL: String?
    public var auth: AuthScheme
    public var modelsPath: String
    /// Environment variables that hold a key, in order of preference.
    public var keyVariables: [String]
    public var statusPage: StatusPageConfig?
    /// Whether the default `models` check needs a key (false for self-hosted gateways).
    public var modelsCheckNeedsKey = true
    public var pagination: ModelListPagination = .none
    /// The provider's credit endpoint, for `balance` checks.
    public var balance: BalanceDialect?
    public var chat: ChatDialect? = .openai
    /// The check a key enables when no `checks:` are given (README, "Providers"):
    /// `models`, or for OpenRouter, whose model list needs no key, `key` (balance).
    public var defaultCheck: (name: String, type: CheckType) = ("models", .models)
    /// See `ProviderConfig.chatMaxTokensField`.
    public var chatMaxTokensField = "max_tokens"

    /// Facts from each provider's documentation and recorded traffic, one entry per provider (README, "Providers").
    public static let all: [Preset] = [
        Preset(name: "openai", baseURL: "https://api.openai.com/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["OPENAI_API_KEY"], statusPage: page("https://status.openai.com", .statuspage),
               chatMaxTokensField: "max_completion_tokens"),
        Preset(name: "anthropic", baseURL: "https://api.anthropic.com/v1",
               auth: .header("x-api-key", extra: [("anthropic-version", "2023-06-01")]), modelsPath: "/models",
               keyVariables: ["ANTHROPIC_API_KEY"], statusPage: page("https://status.claude.com", .statuspage),
               pagination: .afterID(param: "after_id", limit: 1000), chat: .anthropic),
        Preset(name: "gemini", baseURL: "https://generativelanguage.googleapis.com/v1beta",
               auth: .header("x-goog-api-key", extra: []), modelsPath: "/models",
               keyVariables: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
               statusPage: page("https://status.cloud.google.com/incidents.json", .google_cloud, products: ["Vertex Gemini API"]),
               pagination: .pageToken(pageSize: 1000), chat: .gemini),
        Preset(name: "groq", baseURL: "https://api.groq.com/openai/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["GROQ_API_KEY"], statusPage: page("https://groqstatus.com", .statuspage)),
        Preset(name: "openrouter", baseURL: "https://openrouter.ai/api/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["OPENROUTER_API_KEY"], statusPage: page("https://status.openrouter.ai", .datadog), balance: .openrouter,
               defaultCheck: ("key", .balance)),
        Preset(name: "together", baseURL: "https://api.together.xyz/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["TOGETHER_API_KEY"], statusPage: page("https://status.together.ai", .betterstack)),
        Preset(name: "mistral", baseURL: "https://api.mistral.ai/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["MISTRAL_API_KEY"], statusPage: nil),
        Preset(name: "deepseek", baseURL: "https://api.deepseek.com", auth: .bearer, modelsPath: "/models",
               keyVariables: ["DEEPSEEK_API_KEY"],
               statusPage: page("https://status.deepseek.com/api/status-page/6410630422455", .flashduty), balance: .deepseek),
        Preset(name: "xai", baseURL: "https://api.x.ai/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["XAI_API_KEY"], statusPage: page("https://status.x.ai/feed.xml", .rss)),
        Preset(name: "cohere", baseURL: "https://api.cohere.com", auth: .bearer, modelsPath: "/v1/models",
               keyVariables: ["COHERE_API_KEY", "CO_API_KEY"], statusPage: page("https://status.cohere.com", .statuspage),
               chat: nil),
        Preset(name: "nvidia", baseURL: "https://integrate.api.nvidia.com/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["NVIDIA_API_KEY"], statusPage: page("https://status.ngc.nvidia.com", .statuspage)),
        Preset(name: "huggingface", baseURL: "https://router.huggingface.co/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["HF_TOKEN"], statusPage: page("https://status.huggingface.co", .betterstack)),
        Preset(name: "openai_compatible", baseURL: nil, auth: .bearer, modelsPath: "/models",
               keyVariables: [], statusPage: nil, modelsCheckNeedsKey: false),
    ]

    static func page(_ url: String, _ format: StatusPageFormat, products: [String]? = nil) -> StatusPageConfig {
        var page = StatusPageConfig(url: url, format: format)
        page.products = products
        return page
    }

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }
}
