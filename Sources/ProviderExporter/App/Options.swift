/// The command line of README, "Command line", Prometheus style: `--a.b=value` or
/// `--a.b value`; boolean flags also take `--no-a.b`. Each flag is declared once
/// in `Options.flags`, which also renders `--help`.
public struct Options: Sendable {
    public var listenAddress = ListenAddress(host: nil, port: 9641)
    public var telemetryPath = "/metrics"
    public var maxConnections = 1024
    public var logLevel = Logger.Level.info
    public var logFormat = Logger.Format.logfmt
    public var configFile: String?
    public var webConfigFile: String?
    /// `/probe` runs a check only when its last probe finished at least this long ago.
    public var probeMinInterval = PromDuration.seconds(10)
    public var configCheck = false
    public var configPrint = false
    public var showHelp = false
    public var showVersion = false

    public init() {}

    /// A bad command line: the message names the flag. Exit status 2.
    public struct UsageError: Error, CustomStringConvertible {
        public var description: String
    }

    struct Flag: Sendable {
        var name: String
        /// nil for a boolean flag.
        var placeholder: String?
        var defaultText: String?
        var help: String
        var apply: @Sendable (inout Options, String) throws(UsageError) -> Void
    }

    static let flags: [Flag] = [
        Flag(name: "config.file", placeholder: "PATH", defaultText: nil,
             help: "YAML config file. Without it the built-in default config runs.") { o, v throws(UsageError) in
            guard !v.isEmpty else { throw UsageError(description: "--config.file: needs a path") }
            o.configFile = v
        },
        Flag(name: "config.check", help: "Validate the config, print a summary per provider, and exit (1 on errors).") { o, v throws(UsageError) in
            o.configCheck = try parseBool(v, flag: "config.check")
        },
        Flag(name: "config.print", help: "Print the effective config as YAML (secrets as <secret>) and exit.") { o, v throws(UsageError) in
            o.configPrint = try parseBool(v, flag: "config.print")
        },
        Flag(name: "web.listen-address", placeholder: "ADDR", defaultText: ":9641",
             help: "Address to listen on: host:port, :port or [v6]:port.") { o, v throws(UsageError) in
            guard let address = ListenAddress(parsing: v) else {
                throw UsageError(description: "--web.listen-address: '\(v)' is not host:port, :port or [v6]:port")
            }
            o.listenAddress = address
        },
        Flag(name: "web.telemetry-path", placeholder: "PATH", defaultText: "/metrics",
             help: "Path under which to expose metrics.") { o, v throws(UsageError) in
            guard v.hasPrefix("/"), !v.contains("?"), !Exporter.fixedPaths.contains(v) else {
                throw UsageError(description: "--web.telemetry-path: '\(v)' must be a path starting with / that no other endpoint uses")
            }
            o.telemetryPath = v
        },
        Flag(name: "web.max-connections", placeholder: "N", defaultText: "1024",
             help: "Maximum open HTTP connections; at the limit a new one evicts the oldest unfinished or idle one.") { o, v throws(UsageError) in
            guard let n = Int(v), n >= 1, n <= 1_000_000 else {
                throw UsageError(description: "--web.max-connections: '\(v)' is not a number from 1 to 1000000")
            }
            o.maxConnections = n
        },
        Flag(name: "web.config.file", placeholder: "PATH", defaultText: nil,
             help: "exporter-toolkit web config with basic_auth_users (bcrypt hashes); protects every route but /-/healthy and /-/ready.") { o, v throws(UsageError) in
            guard !v.isEmpty else { throw UsageError(description: "--web.config.file: needs a path") }
            o.webConfigFile = v
        },
        Flag(name: "probe.min-interval", placeholder: "DURATION", defaultText: "10s",
             help: "/probe runs a check only when its last probe finished at least this long ago; otherwise it answers from the last result.") { o, v throws(UsageError) in
            guard let d = PromDuration(parsing: v) else {
                throw UsageError(description: "--probe.min-interval: '\(v)' is not a duration (like 500ms, 10s, 1m)")
            }
            o.probeMinInterval = d
        },
        Flag(name: "log.level", placeholder: "LEVEL", defaultText: "info",
             help: "Only log messages with the given severity or above: debug, info, warn, error.") { o, v throws(UsageError) in
            guard let level = Logger.Level(name: v) else {
                throw UsageError(description: "--log.level: '\(v)' is not one of debug, info, warn, error")
            }
            o.logLevel = level
        },
        Flag(name: "log.format", placeholder: "FORMAT", defaultText: "logfmt",
             help: "Output format of log messages: logfmt or json.") { o, v throws(UsageError) in
            guard let format = Logger.Format(rawValue: v) else {
                throw UsageError(description: "--log.format: '\(v)' is not one of logfmt, json")
            }
            o.logFormat = format
        },
        Flag(name: "version", help: "Show version information and exit.") { o, v throws(UsageError) in
            o.showVersion = try parseBool(v, flag: "version")
        },
        Flag(name: "help", help: "Show this help and exit.") { o, v throws(UsageError) in
            o.showHelp = try parseBool(v, flag: "help")
        },
    ]

    /// Parses the arguments after the program name.
    public static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "-h" { options.showHelp = true; continue }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(description: "unexpected argument '\(argument)' (flags look like --name=value)")
            }
            var name = String(argument.dropFirst(2))
            var value: String? = nil
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            var negated = false
            if flags.first(where: { $0.name == name }) == nil, name.hasPrefix("no-"),
               let f = flags.first(where: { $0.name == String(name.dropFirst(3)) }), f.placeholder == nil {
                negated = true
                name = f.name
            }
            guard let flag = flags.first(where: { $0.name == name }) else {
                let suggestion = Spelling.closest(name, among: flags.map(\.name)).map { " (did you mean --\($0)?)" } ?? ""
                throw UsageError(description: "unknown flag --\(name)\(suggestion)")
            }
            if flag.placeholder == nil {
                if negated && value != nil { throw UsageError(description: "--no-\(name) takes no value") }
                try flag.apply(&options, negated ? "false" : (value ?? "true"))
                continue
            }
            if value == nil {
                guard i < arguments.count else { throw UsageError(description: "--\(name) needs a value") }
                value = arguments[i]
                i += 1
            }
            try flag.apply(&options, value!)
        }
        return options
    }

    static func parseBool(_ value: String, flag: String) throws(UsageError) -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default: throw UsageError(description: "--\(flag): '\(value)' is not true or false")
        }
    }

    /// The `--help` text. It shows flag names and defaults, never a value from
    /// the environment, so no secret can appear in it.
    public static var helpText: String {
        var lines = ["usage: provider_exporter [<flags>]", "",
                     "Probes AI/LLM API providers and their status pages and serves Prometheus metrics.", "",
                     "Flags:"]
        for flag in flags {
            let left = "  --\(flag.name)" + (flag.placeholder.map { "=\($0)" } ?? "")
            let padded = left.count < 34 ? left + String(repeating: " ", count: 34 - left.count) : left + "  "
            lines.append(padded + flag.help + (flag.defaultText.map { " Default: \($0)." } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
