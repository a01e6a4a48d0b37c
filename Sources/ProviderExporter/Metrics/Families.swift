/// Every metric family the exporter serves besides the per-check ones
/// (`CheckFamilies`, declared with their values), declared once: name, type,
/// HELP and label names. Collectors refer to these; nothing else spells a
/// metric name.
public enum Families {
    // MARK: Per provider

    public static let state = MetricFamily(
        "provider_state", .gauge, "1 for the provider's current state (unknown, healthy, degraded, down), else 0.",
        labels: ["provider", "state"])
    public static let healthScore = MetricFamily(
        "provider_health_score", .gauge,
        "0..1: 0.6 x max(0, 1 - median latency of the last 20 API probes / 1s) + 0.4 x their success ratio.", labels: ["provider"])
    public static let info = MetricFamily(
        "provider_info", .gauge, "1, labelled with the provider's preset and priority (empty when unset).",
        labels: ["provider", "preset", "priority"])

    // MARK: Per provider, from its status page. After a failed fetch the last
    // good values are kept until a good answer arrives.

    public static let statusPageUp = MetricFamily(
        "provider_status_page_up", .gauge, "1 if the last background fetch and parse of the provider's status page succeeded, else 0.",
        labels: ["provider"])
    public static let statusIndicator = MetricFamily(
        "provider_status_indicator", .gauge,
        "1 for the status page's overall indicator (none, minor, major, critical, maintenance); kept from the last good fetch.",
        labels: ["provider", "indicator"])
    public static let componentStatus = MetricFamily(
        "provider_component_status", .gauge,
        "1 for each watched component's status on the status page; kept from the last good fetch.",
        labels: ["provider", "component", "status"])
    public static let incidents = MetricFamily(
        "provider_incidents", .gauge, "Unresolved incidents on the status page by impact; kept from the last good fetch.",
        labels: ["provider", "impact"])
    public static let incidentStarted = MetricFamily(
        "provider_incident_started_timestamp_seconds", .gauge,
        "Unix time each unresolved incident started (started_at, else created_at); kept from the last good fetch.",
        labels: ["provider", "incident_id", "name", "impact", "status"])
    public static let maintenancesActive = MetricFamily(
        "provider_maintenances_active", .gauge, "Maintenances in progress on the status page; kept from the last good fetch.",
        labels: ["provider"])
    public static let statusPageFetches = MetricFamily(
        "provider_status_page_fetches_total", .counter, "Status-page fetches by result: ok, not_modified, error.",
        labels: ["provider", "result"])

    // MARK: Exporter

    public static let probesInFlight = MetricFamily(
        "provider_exporter_probes_in_flight", .gauge, "Probes running now.")
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
