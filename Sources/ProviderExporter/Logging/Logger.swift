import Glibc

/// Structured logging to stderr, one line per event, as logfmt or JSON
/// (README, "Command line"). A short message plus key/value fields; values are never
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
        let all = [("ts", Dates.format(time)), ("level", level.name), ("msg", message)] + fields
        switch format {
        case .logfmt:
            return all.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + all.map { "\(JSONString.quote($0.0)):\(JSONString.quote($0.1))" }.joined(separator: ",") + "}"
        }
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == 0x7F }
        guard needsQuotes else { return value }
        return JSONString.quote(value)
    }

    /// One `write(2)` per line, so lines from different threads never interleave.
    static let writeToStderr: @Sendable (String) -> Void = { line in Posix.writeStderr(line + "\n") }
}
