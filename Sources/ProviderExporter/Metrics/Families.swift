/// Every metric family the exporter serves, declared once: name, type, HELP and
/// label names. Collectors refer to these; nothing else spells a metric name.
public enum Families {
    // MARK: Exporter

    public static let buildInfo = MetricFamily(
        "provider_exporter_build_info", .gauge,
        "A metric with a constant '1' value labelled by version, revision and Swift version of the build.",
        labels: ["version", "revision", "swift_version"])

    public static let configLastReloadSuccessful = MetricFamily(
        "provider_exporter_config_last_reload_successful", .gauge,
        "Whether the last configuration load or reload succeeded (1) or failed and the previous config is still running (0).")
    public static let configLastReloadSuccessTimestamp = MetricFamily(
        "provider_exporter_config_last_reload_success_timestamp_seconds", .gauge,
        "Unix time of the last successful configuration load or reload.")

    // MARK: Process (read from /proc at render time)

    public static let processCPUSeconds = MetricFamily(
        "process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.")
    public static let processResidentMemory = MetricFamily(
        "process_resident_memory_bytes", .gauge, "Resident memory size in bytes.")
    public static let processVirtualMemory = MetricFamily(
        "process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.")
    public static let processStartTime = MetricFamily(
        "process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.")
    public static let processOpenFDs = MetricFamily(
        "process_open_fds", .gauge, "Number of open file descriptors.")
    public static let processMaxFDs = MetricFamily(
        "process_max_fds", .gauge, "Maximum number of open file descriptors.")
    public static let processThreads = MetricFamily(
        "process_threads", .gauge, "Number of OS threads in the process.")
}
