/// The built-in default config (README, "Providers"): every preset with a public
/// status page gets its status-page check, and each preset whose conventional
/// key variable is set also gets its `models` check.
public enum BuiltInConfig {
    public static func make(environment: ConfigEnvironment = .process) -> ExporterConfig {
        var text = "providers:\n"
        for preset in Preset.all where preset.baseURL != nil {
            // A preset provider without a key source takes the preset's variable.
            let variable = preset.keyVariables.first { environment.variable($0).map { !$0.isEmpty } ?? false }
            guard preset.statusPage != nil || variable != nil else { continue }
            text += "  - name: \(preset.name)\n    preset: \(preset.name)\n"
        }
        // Built from presets only; a failure here is a bug in the preset table.
        do {
            return try ConfigLoader.parse(text, fileName: "<built-in>", environment: environment)
        } catch {
            preconditionFailure("built-in config does not load: \(error)")
        }
    }
}
