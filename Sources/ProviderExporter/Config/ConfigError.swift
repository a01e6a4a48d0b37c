import Glibc

/// One problem in a config file, in one form (README, "Configuration"):
/// `FILE:LINE:COL: PATH: problem`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var path: String
    public var message: String
    /// `FILE:LINE:COL: PATH: problem`, or `FILE: problem` for a file that
    /// cannot be read at all (line 0).
    public var description: String {
        line == 0 ? "\(file): \(message)" : "\(file):\(line):\(column): \(path): \(message)"
    }
}

/// Every problem found, sorted by position; never just the first.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Where secrets and files come from: the process by default, fakes in tests.
public struct ConfigEnvironment: Sendable {
    public var variable: @Sendable (String) -> String?
    public var readFile: @Sendable (String) -> [UInt8]?

    public init(variable: @escaping @Sendable (String) -> String?, readFile: @escaping @Sendable (String) -> [UInt8]?) {
        self.variable = variable
        self.readFile = readFile
    }

    public static let process = ConfigEnvironment(
        variable: { name in getenv(name).map { String(cString: $0) } },
        readFile: { path in Posix.readFile(path, limit: maxFileBytes) })

    /// 10,000 checks written one provider each take about 2 MB.
    public static let maxFileBytes = 16 << 20
}
