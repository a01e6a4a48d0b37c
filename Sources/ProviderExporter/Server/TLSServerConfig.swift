/// `tls_server_config` of `--web.config.file`, as exporter-toolkit documents
/// it, translated to OpenSSL's terms when the file is read (Go's cipher and
/// curve names become OpenSSL's), so that a value the listener cannot honour
/// is a config error naming its line, never a surprise at the first handshake.
public struct TLSServerConfig: Sendable, Equatable {
    /// PEM text given inline, or a file read at start and re-read when it changes.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case file(String)
        case inline(Secret)

        public var description: String {
            switch self {
            case .file(let path): path
            case .inline: "<inline>"
            }
        }

        /// The config key this source was written as: `cert` gives `cert_file` or `cert`.
        func key(_ base: String) -> String {
            if case .file = self { base + "_file" } else { base }
        }
    }

    /// Go's `tls.ClientAuthType`, by its exporter-toolkit name.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert

        /// Whether the client must present a certificate.
        var requiresCertificate: Bool { self == .RequireAnyClientCert || self == .RequireAndVerifyClientCert }
        /// Whether a presented certificate is verified against the client CAs.
        var verifies: Bool { self == .VerifyClientCertIfGiven || self == .RequireAndVerifyClientCert }
    }

    public enum Version: String, Sendable, CaseIterable, Comparable {
        case TLS10, TLS11, TLS12, TLS13

        var wire: Int32 {
            switch self {
            case .TLS10: 0x0301
            case .TLS11: 0x0302
            case .TLS12: 0x0303
            case .TLS13: 0x0304
            }
        }

        public static func < (a: Version, b: Version) -> Bool { a.wire < b.wire }
    }

    public var certificate: Source
    public var key: Source
    public var clientCA: Source?
    public var clientAuth = ClientAuth.NoClientCert
    /// A client certificate must carry one of these as a DNS, e-mail, URI or IP
    /// subject alternative name (exact match).
    public var clientAllowedSANs: [String]?
    public var minVersion = Version.TLS12
    public var maxVersion = Version.TLS13
    /// OpenSSL names of the TLS 1.2 (and older) suites, in preference order; nil: OpenSSL's defaults.
    public var cipherSuites: [String]?
    public var preferServerCipherSuites = true
    /// OpenSSL group names in preference order; nil: OpenSSL's defaults.
    public var curves: [String]?

    public init(certificate: Source, key: Source) {
        self.certificate = certificate
        self.key = key
    }

    /// Go's names (`crypto/tls.CipherSuites()`, the secure list exporter-toolkit
    /// accepts) to OpenSSL's. TLS 1.3 suites are accepted and, as in Go, not
    /// configurable (nil).
    static let cipherNames: [String: String?] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
        "TLS_RSA_WITH_AES_128_CBC_SHA": "AES128-SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA": "AES256-SHA",
        "TLS_AES_128_GCM_SHA256": nil,
        "TLS_AES_256_GCM_SHA384": nil,
        "TLS_CHACHA20_POLY1305_SHA256": nil,
    ]

    /// Go's `tls.CurveID` names to OpenSSL group names.
    static let curveNames: [String: String] = [
        "CurveP256": "P-256", "CurveP384": "P-384", "CurveP521": "P-521", "X25519": "X25519",
        "X25519MLKEM768": "X25519MLKEM768",
    ]
}
