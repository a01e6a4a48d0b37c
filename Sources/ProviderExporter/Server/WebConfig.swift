/// `--web.config.file`: the exporter-toolkit format, `basic_auth_users` only.
/// `basic_auth_users: {NAME: BCRYPT_HASH}`; `tls_server_config` and
/// `http_server_config` are refused with a clear error rather than ignored (a
/// user who wrote them expects them to work).
public struct WebConfig: Sendable, Equatable {
    public var users: [String: String]

    public static func load(file path: String, readFile: (String) -> [UInt8]? = { Posix.readFile($0, limit: 1 << 20) })
        throws(ConfigErrors) -> WebConfig {
        func fail(_ line: Int, _ column: Int, _ key: String, _ message: String) -> ConfigErrors {
            ConfigErrors(errors: [ConfigError(file: path, line: line, column: column, path: key, message: message)])
        }
        guard let bytes = readFile(path) else { throw fail(0, 0, "file", "cannot read: \(Posix.errorText())") }
        let root: YAMLNode
        do { root = try YAMLParser.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            throw fail(error.line, error.column, "file", error.message)
        }
        guard case .mapping(let entries) = root.kind else {
            throw fail(root.line, root.column, "file", "expected a mapping with basic_auth_users")
        }
        var users: [String: String] = [:]
        var errors: [ConfigError] = []
        for (key, value) in entries {
            switch key.resolved {
            case .string("basic_auth_users"):
                guard case .mapping(let pairs) = value.kind else {
                    errors += fail(value.line, value.column, "basic_auth_users", "expected a mapping of user names to bcrypt hashes").errors
                    continue
                }
                for (user, hash) in pairs {
                    guard case .string(let name)? = user.resolved, !name.isEmpty, !name.contains(":") else {
                        errors += fail(user.line, user.column, "basic_auth_users", "a user name must be a non-empty string without ':'").errors
                        continue
                    }
                    guard case .string(let h)? = hash.resolved, BasicAuth.isBcrypt(h) else {
                        // Never echo the value: it may be a plain password written by mistake.
                        errors += fail(hash.line, hash.column, "basic_auth_users.\(name)",
                                       "not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); make one with `htpasswd -nBC 10 \(name)`").errors
                        continue
                    }
                    users[name] = h
                }
            case .string(let other) where other == "tls_server_config" || other == "http_server_config":
                errors += fail(key.line, key.column, other, "not supported by provider_exporter; terminate TLS in front of it").errors
            default:
                let name = if case .scalar(let text, _) = key.kind { text } else { "?" }
                errors += fail(key.line, key.column, "file", "unknown key '\(name)' (only basic_auth_users is supported)").errors
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        if users.isEmpty { throw fail(root.line, root.column, "basic_auth_users", "no users: every protected route would refuse everyone") }
        return WebConfig(users: users)
    }
}
