/// `provider_exporter_build_info`.
public struct BuildInfoCollector: MetricsCollector {
    public init() {}

    public func collect() -> [FamilySnapshot] {
        [FamilySnapshot(Families.buildInfo, [Series([BuildInfo.version, BuildInfo.revision, BuildInfo.swiftVersion], 1)])]
    }
}
