import Glibc

/// A `--web.listen-address` value: `host:port`, `:port` (every address) or `[v6]:port`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// nil means every local address (IPv6 and IPv4 where the host has both).
    public var host: String?
    public var port: UInt16

    public init(host: String?, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil // an IPv6 literal needs brackets
        }
        self.host = host.isEmpty ? nil : host
        self.port = port
    }

    public var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Socket set-up for the server: listening sockets and per-connection options.
enum Socket {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Binds and listens; returns the descriptor and the port actually bound
    /// (which differs from the request when it asked for port 0).
    static func listen(on address: ListenAddress, backlog: Int32 = 4096) throws(SetupError) -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = address.host == nil ? AF_INET6 : AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(address.host, String(address.port), &hints, &result)
        if rc != 0, address.host == nil {
            // No IPv6 on this host: every IPv4 address instead.
            hints.ai_family = AF_INET
            guard getaddrinfo(nil, String(address.port), &hints, &result) == 0 else {
                throw SetupError(description: "cannot resolve listen address \(address)")
            }
        } else if rc != 0 {
            throw SetupError(description: "cannot resolve listen address \(address): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no usable address"
        var info = result
        while let ai = info {
            defer { info = ai.pointee.ai_next }
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastError = Posix.errorText(); continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if ai.pointee.ai_family == AF_INET6 && address.host == nil {
                var zero: Int32 = 0 // dual stack: IPv4 clients too
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            if bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 || Glibc.listen(fd, backlog) != 0 {
                lastError = Posix.errorText()
                close(fd)
                continue
            }
            return (fd, boundPort(fd))
        }
        throw SetupError(description: "cannot listen on \(address): \(lastError)")
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
}
