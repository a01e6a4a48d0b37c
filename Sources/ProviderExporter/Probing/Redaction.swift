/// Keeps key material out of what a probe reports. A probe's error text comes
/// partly from the provider's answer (an error code, a `Location`), and a
/// gateway may echo what it was sent: any word of the text that shares 8
/// characters in a row with one of the provider's secrets becomes `<secret>`.
struct Redaction: Sendable {
    /// Every run of `window` bytes of every secret, packed into an integer.
    private let windows: Set<UInt64>
    /// Secrets too short to tell from ordinary words: matched as whole words.
    private let shortSecrets: Set<[UInt8]>
    static let window = 8

    init(_ secrets: [Secret]) {
        var windows = Set<UInt64>(), shortSecrets = Set<[UInt8]>()
        for secret in secrets {
            let bytes = Array(secret.revealed.utf8)
            guard bytes.count >= Self.window else {
                if bytes.count >= 4 { shortSecrets.insert(bytes) }
                continue
            }
            for start in 0...(bytes.count - Self.window) { windows.insert(Self.pack(bytes[start..<(start + Self.window)])) }
        }
        self.windows = windows
        self.shortSecrets = shortSecrets
    }

    /// `text` with every word that carries key material replaced.
    func apply(_ text: String) -> String {
        guard !windows.isEmpty || !shortSecrets.isEmpty else { return text }
        var out: [UInt8] = []
        var word: [UInt8] = []
        func flush() {
            out += carriesSecret(word) ? Array("<secret>".utf8) : word
            word.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            if Self.isWordByte(byte) { word.append(byte) } else { flush(); out.append(byte) }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    private func carriesSecret(_ word: [UInt8]) -> Bool {
        if word.count < Self.window { return shortSecrets.contains(word) }
        for start in 0...(word.count - Self.window) where windows.contains(Self.pack(word[start..<(start + Self.window)])) {
            return true
        }
        return false
    }

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Characters keys and tokens are made of (base64, URL-safe base64, hex, dashes).
    static func isWordByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"),
             UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}

/// Any check, with its error text redacted for its provider's secrets (built
/// only when there is an error: most probes have none).
struct RedactingCheck: Check {
    let inner: any Check
    let secrets: [Secret]

    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome? {
        guard var outcome = await inner.run(using: client, timeout: timeout, clock: clock) else { return nil }
        // The traces are redacted when a report is rendered (few are), not here
        // on every probe.
        guard let error = outcome.error else { return outcome }
        let redaction = Redaction(secrets)
        outcome.error = redaction.apply(error)
        if let rule = outcome.rule { outcome.rule = redaction.apply(rule) }
        return outcome
    }
}
