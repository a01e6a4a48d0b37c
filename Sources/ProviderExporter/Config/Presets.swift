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

/// Everything a preset fills in for a provider (SPEC section 5). Presets are
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

    /// Facts from PROVIDERS.md. The remaining providers come with the presets issue.
    public static let all: [Preset] = [
        Preset(name: "openai", baseURL: "https://api.openai.com/v1", auth: .bearer, modelsPath: "/models",
               keyVariables: ["OPENAI_API_KEY"],
               statusPage: StatusPageConfig(url: "https://status.openai.com", format: .statuspage)),
        Preset(name: "openai_compatible", baseURL: nil, auth: .bearer, modelsPath: "/models",
               keyVariables: [], statusPage: nil, modelsCheckNeedsKey: false),
    ]

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }
}
