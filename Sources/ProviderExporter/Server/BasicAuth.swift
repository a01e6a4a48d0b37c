import CSystem
import Dispatch
import Synchronization

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

/// HTTP basic authentication against bcrypt hashes. A bcrypt check costs
/// 60 ms (cost 10) to 250 ms (cost 12), so it never runs on an event loop:
/// checks run on their own queue, at most `maxPending` at a time queued, and a
/// verified user/password pair is remembered for the life of the process (as
/// exporter-toolkit does), so authenticated scrapes cost a lookup. An unknown
/// user is checked against a real hash too, so that it takes as long as a
/// wrong password.
public final class BasicAuth: Sendable {
    public enum Decision: Sendable, Equatable { case allowed, denied, verify(user: String, password: String) }

    let users: [String: String]
    private let verified = Mutex<Set<String>>([])
    private let pending = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "bcrypt", attributes: .concurrent)
    static let maxPending = 16
    static let maxRemembered = 256

    public init(_ config: WebConfig) { users = config.users }

    static func isBcrypt(_ hash: String) -> Bool {
        hash.utf8.count == 60 && (hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$"))
    }

    /// What to do with a request's `Authorization` header, without hashing.
    public func decide(_ header: String?) -> Decision {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic ",
              let decoded = Base64.decode(String(header.dropFirst(6)).trimmed(" ")),
              let text = String(validating: decoded, as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return .denied }
        let user = String(text[..<colon]), password = String(text[text.index(after: colon)...])
        if verified.withLock({ $0.contains(Self.key(user, password)) }) { return .allowed }
        return .verify(user: user, password: password)
    }

    /// Runs the bcrypt check off the caller's thread. false when it fails, or
    /// when too many checks are already waiting (a flood of wrong passwords).
    public func verify(user: String, password: String) async -> Bool {
        guard pending.add(1, ordering: .relaxed).newValue <= Self.maxPending else {
            pending.subtract(1, ordering: .relaxed)
            return false
        }
        // An unknown user is checked against some real hash, then refused.
        let known = users[user]
        let hash = known ?? users.values.min()!
        let ok: Bool = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Self.bcryptMatches(password, hash))
            }
        }
        pending.subtract(1, ordering: .relaxed)
        guard ok, known != nil else { return false }
        verified.withLock { set in
            if set.count >= Self.maxRemembered { set.removeAll() }
            set.insert(Self.key(user, password))
        }
        return true
    }

    /// libcrypt's verdict (blocking: tens to hundreds of milliseconds).
    static func bcryptMatches(_ password: String, _ hash: String) -> Bool { cs_crypt_verify(password, hash) == 1 }

    static func key(_ user: String, _ password: String) -> String { user + "\u{0}" + password }

    public static let unauthorized = HTTPResponse(
        status: 401, headers: [("Content-Type", "text/plain; charset=utf-8"), ("WWW-Authenticate", "Basic realm=\"provider_exporter\"")],
        body: Array("Unauthorized\n".utf8))

    /// `route` behind this check.
    public func protect(_ route: Route) -> Route {
        Route(route.path, methods: route.methods, acceptsBody: route.acceptsBody) { [self] request in
            switch decide(request.header("authorization")) {
            case .allowed: return route.handler(request)
            case .denied: return .now(Self.unauthorized)
            case .verify(let user, let password):
                return .later { [self] in
                    guard await verify(user: user, password: password) else { return Self.unauthorized }
                    switch route.handler(request) {
                    case .now(let response): return response
                    case .later(let work): return await work()
                    }
                }
            }
        }
    }
}

/// Standard base64 (RFC 4648, padding optional), for `Authorization: Basic`.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
