/// `--web.config.file`: the exporter-toolkit format. `basic_auth_users:
/// {NAME: BCRYPT_HASH}` and `tls_server_config` (see `TLSServerConfig`);
/// `http_server_config` and `rate_limit` are refused with a clear error rather
/// than ignored (a user who wrote them expects them to work). Relative file
/// names are read from the web config's own directory, as exporter-toolkit does.
public struct WebConfig: Sendable, Equatable {
    public var users: [String: String] = [:]
    public var tls: TLSServerConfig?

    public static func load(file path: String, readFile: @escaping (String) -> [UInt8]? = { Posix.readFile($0, limit: 1 << 20) })
        throws(ConfigErrors) -> WebConfig {
        var decoder = Decoder(file: path)
        guard let bytes = readFile(path) else { throw decoder.fail(0, 0, "file", "cannot read: \(Posix.errorText())") }
        let root: YAMLNode
        do { root = try YAMLParser.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            throw decoder.fail(error.line, error.column, "file", error.message)
        }
        guard case .mapping(let entries) = root.kind else {
            throw decoder.fail(root.line, root.column, "file", "expected a mapping with basic_auth_users or tls_server_config")
        }
        var config = WebConfig()
        var tlsNode: YAMLNode?
        for (key, value) in entries {
            switch key.resolved {
            case .string("basic_auth_users"):
                config.users = decoder.users(value)
            case .string("tls_server_config"):
                tlsNode = value
                config.tls = decoder.tls(value)
            case .string(let other) where other == "http_server_config" || other == "rate_limit":
                decoder.error(key, other, "not supported by provider_exporter (HTTP/2, extra response headers and rate limits are not served)")
            default:
                let name = if case .scalar(let text, _) = key.kind { text } else { "?" }
                decoder.error(key, "file", "unknown key '\(name)' (known: basic_auth_users, tls_server_config)")
            }
        }
        if let tls = config.tls, let node = tlsNode, decoder.errors.isEmpty {
            // Load the certificates once now: a bad file fails the start, naming its key.
            do {
                _ = try TLSContext.make(tls, sources: try TLSServer.read(tls, relativeTo: path, readFile: readFile))
            } catch {
                let at = decoder.node(node, error.key) ?? node
                decoder.error(at, "tls_server_config." + error.key, error.message)
            }
        }
        if !decoder.errors.isEmpty { throw ConfigErrors(errors: decoder.errors) }
        if config.users.isEmpty && config.tls == nil {
            throw decoder.fail(root.line, root.column, "file", "neither basic_auth_users nor tls_server_config: the file would change nothing")
        }
        return config
    }

    /// Collects every problem of the file with its line and column.
    struct Decoder {
        let file: String
        var errors: [ConfigError] = []

        func fail(_ line: Int, _ column: Int, _ key: String, _ message: String) -> ConfigErrors {
            ConfigErrors(errors: [ConfigError(file: file, line: line, column: column, path: key, message: message)])
        }

        mutating func error(_ node: YAMLNode, _ key: String, _ message: String) {
            errors.append(ConfigError(file: file, line: node.line, column: node.column, path: key, message: message))
        }

        /// The value node of `key` in a mapping, for pointing at it.
        func node(_ mapping: YAMLNode, _ key: String) -> YAMLNode? {
            guard case .mapping(let pairs) = mapping.kind else { return nil }
            return pairs.first { $0.key.resolved == .string(key) }?.value
        }

        mutating func users(_ value: YAMLNode) -> [String: String] {
            guard case .mapping(let pairs) = value.kind else {
                error(value, "basic_auth_users", "expected a mapping of user names to bcrypt hashes")
                return [:]
            }
            var users: [String: String] = [:]
            for (user, hash) in pairs {
                guard case .string(let name)? = user.resolved, !name.isEmpty, !name.contains(":") else {
                    error(user, "basic_auth_users", "a user name must be a non-empty string without ':'")
                    continue
                }
                guard case .string(let h)? = hash.resolved, BasicAuth.isBcrypt(h) else {
                    // Never echo the value: it may be a plain password written by mistake.
                    error(hash, "basic_auth_users.\(name)",
                          "not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); make one with `htpasswd -nBC 10 \(name)`")
                    continue
                }
                users[name] = h
            }
            if users.isEmpty && errors.isEmpty { error(value, "basic_auth_users", "no users: every protected route would refuse everyone") }
            return users
        }

        mutating func tls(_ value: YAMLNode) -> TLSServerConfig? {
            guard case .mapping(let pairs) = value.kind else {
                error(value, "tls_server_config", "expected a mapping (cert_file, key_file, ...)")
                return nil
            }
            var fields: [String: YAMLNode] = [:]
            let known = ["cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file", "client_auth_type",
                         "client_allowed_sans", "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites",
                         "curve_preferences"]
            for (key, node) in pairs {
                guard case .string(let name)? = key.resolved, known.contains(name) else {
                    let name = if case .scalar(let text, _) = key.kind { text } else { "?" }
                    error(key, "tls_server_config", "unknown key '\(name)'" + (Spelling.closest(name, among: known).map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                fields[name] = node
            }
            func text(_ name: String) -> String? {
                guard let node = fields[name] else { return nil }
                guard case .string(let s)? = node.resolved, !s.isEmpty else {
                    error(node, "tls_server_config.\(name)", "expected a non-empty string")
                    return nil
                }
                return s
            }
            func list(_ name: String) -> [(String, YAMLNode)]? {
                guard let node = fields[name] else { return nil }
                guard case .sequence(let items) = node.kind else {
                    error(node, "tls_server_config.\(name)", "expected a list")
                    return nil
                }
                var out: [(String, YAMLNode)] = []
                for item in items {
                    guard case .string(let s)? = item.resolved else {
                        error(item, "tls_server_config.\(name)", "expected a string")
                        continue
                    }
                    out.append((s, item))
                }
                return out
            }
            /// One of an inline PEM or a file, never both.
            func source(_ inline: String, _ file: String, required: Bool) -> TLSServerConfig.Source? {
                let (i, f) = (text(inline), text(file))
                if i != nil && f != nil {
                    error(fields[inline]!, "tls_server_config", "\(file) and \(inline) are mutually exclusive")
                    return nil
                }
                if let f { return .file(f) }
                if let i { return .inline(Secret(i)) }
                if required { error(value, "tls_server_config", "missing \(file) (or \(inline))") }
                return nil
            }
            let certificate = source("cert", "cert_file", required: true)
            let key = source("key", "key_file", required: true)
            let clientCA = source("client_ca", "client_ca_file", required: false)
            guard let certificate, let key else { return nil }
            var config = TLSServerConfig(certificate: certificate, key: key)
            config.clientCA = clientCA
            if let name = text("client_auth_type") {
                // exporter-toolkit still accepts the old name RequireClientCert.
                if let auth = TLSServerConfig.ClientAuth(rawValue: name == "RequireClientCert" ? "RequireAnyClientCert" : name) {
                    config.clientAuth = auth
                } else {
                    error(fields["client_auth_type"]!, "tls_server_config.client_auth_type",
                          "unknown '\(name)'; one of " + TLSServerConfig.ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            if clientCA != nil && config.clientAuth == .NoClientCert {
                error(fields["client_ca_file"] ?? fields["client_ca"]!, "tls_server_config",
                      "client CAs are configured without a client_auth_type that uses them (RequireAndVerifyClientCert, VerifyClientCertIfGiven)")
            }
            if config.clientAuth.verifies && clientCA == nil {
                error(fields["client_auth_type"]!, "tls_server_config.client_auth_type",
                      "\(config.clientAuth.rawValue) needs client_ca_file (or client_ca): the CAs that sign client certificates")
            }
            if let sans = list("client_allowed_sans") {
                config.clientAllowedSANs = sans.map(\.0)
                if !config.clientAuth.requiresCertificate {
                    error(fields["client_allowed_sans"]!, "tls_server_config.client_allowed_sans",
                          "needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert: otherwise a client without a certificate has no name to check")
                }
            }
            for (name, keyPath) in [("min_version", \TLSServerConfig.minVersion), ("max_version", \TLSServerConfig.maxVersion)] {
                guard let v = text(name) else { continue }
                guard let version = TLSServerConfig.Version(rawValue: v) else {
                    error(fields[name]!, "tls_server_config.\(name)", "unknown '\(v)'; one of TLS10, TLS11, TLS12, TLS13")
                    continue
                }
                config[keyPath: keyPath] = version
            }
            if config.minVersion > config.maxVersion {
                error(fields["min_version"] ?? fields["max_version"]!, "tls_server_config.min_version",
                      "\(config.minVersion.rawValue) is above max_version \(config.maxVersion.rawValue)")
            }
            if let suites = list("cipher_suites") {
                var names: [String] = []
                var unknown = false
                for (suite, node) in suites {
                    guard let mapped = TLSServerConfig.cipherNames[suite] else {
                        error(node, "tls_server_config.cipher_suites", "unknown or insecure cipher suite '\(suite)' (Go's crypto/tls names)")
                        unknown = true
                        continue
                    }
                    if let mapped { names.append(mapped) }
                }
                if names.isEmpty && !suites.isEmpty && !unknown && config.minVersion < .TLS13 {
                    error(fields["cipher_suites"]!, "tls_server_config.cipher_suites",
                          "lists no TLS 1.2 suite (TLS 1.3 suites are not configurable): TLS 1.2 clients would have none")
                }
                config.cipherSuites = names.isEmpty ? nil : names
            }
            if let node = fields["prefer_server_cipher_suites"] {
                if case .bool(let b)? = node.resolved { config.preferServerCipherSuites = b } else {
                    error(node, "tls_server_config.prefer_server_cipher_suites", "expected true or false")
                }
            }
            if let curves = list("curve_preferences") {
                var names: [String] = []
                for (curve, node) in curves {
                    guard let mapped = TLSServerConfig.curveNames[curve] else {
                        error(node, "tls_server_config.curve_preferences", "unknown curve '\(curve)'; one of "
                              + TLSServerConfig.curveNames.keys.sorted().joined(separator: ", "))
                        continue
                    }
                    names.append(mapped)
                }
                config.curves = names.isEmpty ? nil : names
            }
            return config
        }
    }
}
