import Glibc

/// Structured logging to stderr, one line per event, as logfmt or JSON
/// (SPEC section 2). A short message plus key/value fields; values are never
/// secrets because secrets are a type that prints as `<secret>`.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warn, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Format: String, Sendable, CaseIterable {
        case logfmt, json
    }

    public let level: Level
    public let format: Format
    /// Where lines go; stderr by default, a collector in tests.
    let sink: @Sendable (String) -> Void

    public init(level: Level = .info, format: Format = .logfmt, sink: (@Sendable (String) -> Void)? = nil) {
        self.level = level
        self.format = format
        self.sink = sink ?? Logger.writeToStderr
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.debug, message, fields)
    }
    public func info(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.info, message, fields)
    }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.warn, message, fields)
    }
    public func error(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.error, message, fields)
    }

    public func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible>) {
        guard level >= self.level else { return }
        log(level, message, pairs: fields.map { ($0.key, $0.value.description) })
    }

    /// For fields assembled at run time.
    public func log(_ level: Level, _ message: String, pairs: [(String, String)]) {
        guard level >= self.level else { return }
        sink(Logger.line(time: Posix.wallSeconds(), level: level, message: message, fields: pairs, format: format))
    }

    /// One rendered line, without the trailing newline.
    static func line(time: Double, level: Level, message: String, fields: [(String, String)], format: Format) -> String {
        let all = [("ts", Logger.rfc3339(time)), ("level", level.name), ("msg", message)] + fields
        switch format {
        case .logfmt:
            return all.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + all.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        }
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == 0x7F }
        guard needsQuotes else { return value }
        return jsonString(value)
    }

    /// A JSON string literal; also logfmt's quoting, which uses the same escapes.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// UTC time with milliseconds, e.g. `2026-11-23T15:14:53.123Z`.
    static func rfc3339(_ seconds: Double) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// One `write(2)` per line, so lines from different threads never interleave.
    static let writeToStderr: @Sendable (String) -> Void = { line in Posix.writeStderr(line + "\n") }
}
