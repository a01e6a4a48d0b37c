import CTLS
import Glibc
import Synchronization

/// A problem with the TLS settings or their files, with the key it concerns.
struct TLSSetupError: Error {
    var key: String
    var message: String
}

/// One OpenSSL server context built from a `TLSServerConfig` and the PEM
/// bytes of its files. Connections hold their own reference to it (OpenSSL
/// counts them), so a replaced context lives until its last connection ends.
final class TLSContext: @unchecked Sendable {
    // @unchecked: after `make` the context is only read (SSL_new), which
    // OpenSSL allows from any thread.
    let raw: UnsafeMutableRawPointer

    private init(raw: UnsafeMutableRawPointer) { self.raw = raw }
    deinit { pe_tls_ctx_free(raw) }

    /// The PEM bytes a context is built from: certificate chain, key, client CAs.
    struct Sources: Equatable {
        var certificate: [UInt8]
        var key: [UInt8]
        var clientCA: [UInt8]?
    }

    static func make(_ config: TLSServerConfig, sources: Sources) throws(TLSSetupError) -> TLSContext {
        guard let raw = pe_tls_ctx_new() else { throw TLSSetupError(key: "cert_file", message: "OpenSSL: \(lastError())") }
        let context = TLSContext(raw: raw)
        func fail(_ key: String, _ what: String) -> TLSSetupError {
            let detail = lastError()
            return TLSSetupError(key: key, message: detail.isEmpty ? what : "\(what) (\(detail))")
        }
        let count = sources.certificate.withUnsafeBufferPointer { pe_tls_ctx_use_certificates(raw, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else { throw fail(config.certificate.key("cert"), "no usable PEM certificate in \(config.certificate)") }
        let keyOK = sources.key.withUnsafeBufferPointer { pe_tls_ctx_use_key(raw, $0.baseAddress, Int32($0.count)) }
        guard keyOK == 1 else { throw fail(config.key.key("key"), "no PEM private key that matches the certificate in \(config.key)") }
        if let ca = sources.clientCA, let source = config.clientCA {
            let n = ca.withUnsafeBufferPointer { pe_tls_ctx_use_client_cas(raw, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { throw fail(source.key("client_ca"), "no usable PEM certificate in \(source)") }
        }
        guard pe_tls_ctx_set_versions(raw, config.minVersion.wire, config.maxVersion.wire) == 1 else {
            throw fail("min_version", "this system's OpenSSL refuses \(config.minVersion.rawValue)..\(config.maxVersion.rawValue)")
        }
        if let suites = config.cipherSuites, pe_tls_ctx_set_ciphers(raw, suites.joined(separator: ":")) != 1 {
            throw fail("cipher_suites", "this system's OpenSSL offers none of them")
        }
        if let curves = config.curves, pe_tls_ctx_set_groups(raw, curves.joined(separator: ":")) != 1 {
            throw fail("curve_preferences", "this system's OpenSSL does not support one of them")
        }
        pe_tls_ctx_prefer_server_ciphers(raw, config.preferServerCipherSuites ? 1 : 0)
        var mode = Int32(PE_SSL_VERIFY_NONE)
        if config.clientAuth != .NoClientCert { mode |= Int32(PE_SSL_VERIFY_PEER) }
        if config.clientAuth.requiresCertificate { mode |= Int32(PE_SSL_VERIFY_FAIL_IF_NO_PEER_CERT) }
        pe_tls_ctx_set_verify(raw, mode, config.clientAuth.verifies ? 1 : 0)
        return context
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        pe_tls_last_error(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The listener's TLS: the current context, re-read when its files change.
/// At most once a second (on an accept), the files are read again; new bytes
/// that make a good context replace it for new connections, bad ones leave it
/// in place and are logged once.
public final class TLSServer: Sendable {
    public let config: TLSServerConfig
    let configPath: String
    let logger: Logger
    private struct Current {
        var context: TLSContext
        var sources: TLSContext.Sources
        var checkedAt: Double
        var rejected: TLSContext.Sources?
    }
    private let current: Mutex<Current>
    private let readFile: @Sendable (String) -> [UInt8]?

    /// Loads the files (relative names from `configPath`'s directory) and builds the first context.
    public init(_ config: TLSServerConfig, configPath: String, logger: Logger, now: Double,
                readFile: @escaping @Sendable (String) -> [UInt8]? = { Posix.readFile($0, limit: 1 << 20) }) throws(ConfigErrors) {
        self.config = config
        self.configPath = configPath
        self.logger = logger
        self.readFile = readFile
        do {
            let sources = try Self.read(config, relativeTo: configPath, readFile: readFile)
            current = Mutex(Current(context: try TLSContext.make(config, sources: sources), sources: sources, checkedAt: now))
        } catch {
            throw ConfigErrors(errors: [ConfigError(file: configPath, line: 0, column: 0, path: "tls_server_config",
                                                    message: "\(error.key): \(error.message)")])
        }
    }

    /// The PEM bytes of each source: inline text, or the file's contents now.
    static func read(_ config: TLSServerConfig, relativeTo configPath: String,
                     readFile: (String) -> [UInt8]?) throws(TLSSetupError) -> TLSContext.Sources {
        func bytes(_ source: TLSServerConfig.Source, _ base: String) throws(TLSSetupError) -> [UInt8] {
            switch source {
            case .inline(let text):
                return Array(text.revealed.utf8)
            case .file(let name):
                let path = name.hasPrefix("/") ? name : (configPath.split(separator: "/", omittingEmptySubsequences: false)
                    .dropLast().joined(separator: "/")).appendingPath(name)
                guard let data = readFile(path) else { throw TLSSetupError(key: source.key(base), message: "cannot read '\(path)': \(Posix.errorText())") }
                return data
            }
        }
        return TLSContext.Sources(
            certificate: try bytes(config.certificate, "cert"),
            key: try bytes(config.key, "key"),
            clientCA: try config.clientCA.map { s throws(TLSSetupError) in try bytes(s, "client_ca") })
    }

    /// The context for a connection accepted at `now`, after re-reading the
    /// files if the last look was a second or more ago.
    func context(now: Double) -> TLSContext {
        let due = current.withLock { c -> Bool in
            guard now - c.checkedAt >= 1 else { return false }
            c.checkedAt = now
            return true
        }
        if due { reloadIfChanged() }
        return current.withLock { $0.context }
    }

    private func reloadIfChanged() {
        let sources: TLSContext.Sources
        do { sources = try Self.read(config, relativeTo: configPath, readFile: readFile) } catch {
            let known = current.withLock { $0.rejected == nil }
            if known { logger.warn("cannot re-read TLS files; serving the previous certificate", ["key": error.key, "err": error.message]) }
            current.withLock { $0.rejected = $0.sources }
            return
        }
        let (same, seen) = current.withLock { ($0.sources == sources, $0.rejected == sources) }
        guard !same, !seen else { return }
        do {
            let context = try TLSContext.make(config, sources: sources)
            current.withLock { $0 = Current(context: context, sources: sources, checkedAt: $0.checkedAt) }
            logger.info("TLS certificate reloaded", ["cert": config.certificate])
        } catch {
            current.withLock { $0.rejected = sources }
            logger.warn("new TLS files cannot be used; serving the previous certificate", ["key": error.key, "err": error.message])
        }
    }
}

private extension String {
    func appendingPath(_ name: String) -> String { isEmpty ? name : self + "/" + name }
}

/// One connection's TLS state, confined to its event loop's thread. It is
/// ended by `end()` while its descriptor is still open: a session that
/// outlived its descriptor must never write (the number may already be
/// another connection's), so `deinit` only frees.
final class TLSSession {
    private var ssl: UnsafeMutableRawPointer?
    /// The last read or write asked for the socket to become writable (a
    /// handshake flight the socket did not take at once).
    var wantsWrite = false
    /// The first bytes were looked at (a TLS record, not plain HTTP).
    var sniffed = false
    /// The handshake finished and the client's names were checked.
    var verified = false

    init?(context: TLSContext, fd: Int32) {
        guard let ssl = pe_tls_new(context.raw, fd) else { return nil }
        self.ssl = ssl
    }

    deinit { if let ssl { pe_tls_free(ssl, 0) } }

    /// Sends close_notify (when the handshake was done) and frees the
    /// session; later calls do nothing. Call before closing the descriptor.
    func end() {
        guard let ssl else { return }
        pe_tls_free(ssl, 1)
        self.ssl = nil
    }

    enum Read { case data(Int), wait, closed(String?) }

    /// Decrypted bytes into `buffer`, a wait for the socket, or the end (with
    /// why, when it was an error).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Read {
        guard let ssl else { return .closed(nil) }
        var error: Int32 = 0
        let n = pe_tls_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))), &error)
        if n > 0 { return .data(Int(n)) }
        switch error {
        case Int32(PE_SSL_ERROR_WANT_READ):
            wantsWrite = false
            return .wait
        case Int32(PE_SSL_ERROR_WANT_WRITE):
            wantsWrite = true
            return .wait
        case Int32(PE_SSL_ERROR_ZERO_RETURN):
            return .closed(nil)
        default:
            let detail = TLSContext.lastError()
            return .closed(detail.isEmpty ? (error == Int32(PE_SSL_ERROR_SYSCALL) ? "connection ended" : "TLS error") : detail)
        }
    }

    /// Like `write(2)`: bytes written, or -1 with `errno` EAGAIN (try again when
    /// writable) or EPIPE (the connection is unusable).
    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let ssl else {
            errno = EPIPE
            return -1
        }
        var error: Int32 = 0
        let n = pe_tls_write(ssl, bytes.baseAddress, Int32(min(bytes.count, 1 << 20)), &error)
        if n > 0 { return Int(n) }
        if error == Int32(PE_SSL_ERROR_WANT_WRITE) || error == Int32(PE_SSL_ERROR_WANT_READ) {
            errno = EAGAIN
        } else {
            _ = TLSContext.lastError()
            errno = EPIPE
        }
        return -1
    }

    /// Decrypted bytes OpenSSL holds that no socket event will announce.
    var pending: Int { ssl.map { Int(pe_tls_pending($0)) } ?? 0 }
    var handshakeDone: Bool { ssl.map { pe_tls_handshake_done($0) == 1 } ?? false }

    /// The client certificate's subject alternative names; nil without a certificate.
    func peerNames() -> [String]? {
        guard let ssl else { return nil }
        var buffer = [CChar](repeating: 0, count: 8192)
        let count = pe_tls_peer_names(ssl, &buffer, Int32(buffer.count))
        guard count >= 0 else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }
}
