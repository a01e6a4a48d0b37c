/// The parts of an http(s) URL the exporter needs: its origin (to keep secrets
/// from other origins after a redirect) and its host (for `tls.server_name`).
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Everything after the authority: path, query, fragment.
    public var rest: String
    let userInfo: String?

    /// scheme://host:port, with the default port made explicit.
    public var origin: String { "\(scheme)://\(host.lowercased()):\(port)" }

    /// nil unless `text` is an http:// or https:// URL with a host.
    public init?(_ text: String) {
        let lower = text.lowercased()
        guard let scheme = ["http", "https"].first(where: { lower.hasPrefix($0 + "://") }) else { return nil }
        let afterScheme = text.dropFirst(scheme.count + 3)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        rest = String(afterScheme.dropFirst(authority.count))
        var hostPort = Substring(authority)
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            hostPort = authority[authority.index(after: at)...]
        } else {
            userInfo = nil
        }
        var portText: Substring? = nil
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[...close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
        self.scheme = scheme
    }

    /// The same URL with another host (same scheme, port, path).
    public func replacingHost(with newHost: String) -> String {
        let user = userInfo.map { $0 + "@" } ?? ""
        return "\(scheme)://\(user)\(newHost):\(port)\(rest)"
    }
}
