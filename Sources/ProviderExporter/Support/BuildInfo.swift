/// What this binary is, for `--version`, the landing page and
/// `provider_exporter_build_info`.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The source revision. SwiftPM has no build-time stamping without plugins,
    /// so release builds overwrite this line; development builds say "unknown".
    public static let revision = "unknown"

    /// The language version this binary was compiled with.
    public static var swiftVersion: String {
        #if swift(>=6.5)
        "6.5+"
        #elseif swift(>=6.4)
        "6.4"
        #elseif swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    public static var versionLine: String {
        "provider_exporter, version \(version) (revision: \(revision), swift: \(swiftVersion))"
    }
}
