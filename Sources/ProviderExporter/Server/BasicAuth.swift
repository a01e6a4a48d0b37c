import CSystem
import Dispatch
import Synchronization

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
    /// bcrypt checks run, and the most ever queued at once: what the tests
    /// count instead of timing them.
    let checksRun = Atomic<Int>(0)
    let mostPending = Atomic<Int>(0)
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
        let queued = pending.add(1, ordering: .relaxed).newValue
        guard queued <= Self.maxPending else {
            pending.subtract(1, ordering: .relaxed)
            return false
        }
        mostPending.max(queued, ordering: .relaxed)
        // An unknown user is checked against some real hash, then refused.
        let known = users[user]
        let hash = known ?? users.values.min()!
        let ok: Bool = await withCheckedContinuation { continuation in
            queue.async { [self] in
                checksRun.add(1, ordering: .relaxed)
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
