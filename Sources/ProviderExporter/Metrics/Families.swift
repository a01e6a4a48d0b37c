/// Every metric family the exporter serves, declared once: name, type, HELP and
/// label names. Collectors refer to these; nothing else spells a metric name.
public enum Families {
    // MARK: Per check (provider, check). Values come from the last background probe.

    static let check = ["provider", "check"]

    public static let up = MetricFamily(
        "provider_up", .gauge, "1 if the last background probe of the check succeeded, else 0.", labels: check)
    public static let probeDuration = MetricFamily(
        "provider_probe_duration_seconds", .histogram, "Duration of every completed background probe, in seconds.", labels: check)
    public static let probePhase = MetricFamily(
        "provider_probe_phase_seconds", .gauge,
        "Phases of the last background probe where measurable: resolve, connect, tls, processing (to first byte), transfer.",
        labels: check + ["phase"])
    public static let probes = MetricFamily(
        "provider_probes_total", .counter, "Background probes by result.", labels: check + ["result"])
    public static let lastResult = MetricFamily(
        "provider_last_result", .gauge, "1, labelled with the result of the last background probe of the check.",
        labels: check + ["result"])
    public static let consecutiveFailures = MetricFamily(
        "provider_consecutive_failures", .gauge, "Failed background probes since the last success.", labels: check)
    public static let failureThreshold = MetricFamily(
        "provider_failure_threshold", .gauge,
        "The check's effective failure_threshold: consecutive failures that make its provider down.", labels: check)
    public static let httpStatus = MetricFamily(
        "provider_http_status_code", .gauge, "HTTP status of the last background probe's response, 0 if none.", labels: check)
    public static let lastProbe = MetricFamily(
        "provider_last_probe_timestamp_seconds", .gauge, "Unix time the last background probe finished.", labels: check)
    public static let nextProbe = MetricFamily(
        "provider_next_probe_timestamp_seconds", .gauge,
        "Unix time the next background probe is due (backoff and Retry-After included); time() far past it means the scheduler is stuck.",
        labels: check)
    public static let lastSuccess = MetricFamily(
        "provider_last_success_timestamp_seconds", .gauge, "Unix time of the last successful background probe.", labels: check)
    public static let rateLimitLimit = MetricFamily(
        "provider_ratelimit_limit", .gauge, "Rate-limit window size the provider reported in its last response with rate-limit headers.",
        labels: check + ["resource"])
    public static let rateLimitRemaining = MetricFamily(
        "provider_ratelimit_remaining", .gauge, "What the provider reported left in the rate-limit window.", labels: check + ["resource"])
    public static let rateLimitReset = MetricFamily(
        "provider_ratelimit_reset_timestamp_seconds", .gauge, "Unix time the rate-limit window resets (relative resets converted).",
        labels: check + ["resource"])
    public static let retryAfter = MetricFamily(
        "provider_retry_after_seconds", .gauge, "The Retry-After hint of the last background probe's response, in seconds.", labels: check)
    public static let certificateExpiry = MetricFamily(
        "provider_tls_cert_expiry_timestamp_seconds", .gauge,
        "Unix time the earliest certificate of the peer's chain expires, from the last HTTPS background probe.", labels: check)

    public static let probeTokens = MetricFamily(
        "provider_probe_tokens_total", .counter, "chat checks: tokens the provider reported for background probes, by kind (input, output).",
        labels: check + ["kind"])
    public static let timeToFirstToken = MetricFamily(
        "provider_time_to_first_token_seconds", .histogram,
        "Streamed chat checks: seconds from the request to the first content delta of every completed background probe.",
        labels: check)
    public static let creditBalance = MetricFamily(
        "provider_credit_balance", .gauge,
        "balance checks: remaining prepaid credit in the provider's currency, from the last successful background probe.",
        labels: check + ["currency"])

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
    public static let probesSkipped = MetricFamily(
        "provider_exporter_probes_skipped_total", .counter,
        "Scheduled probes that did not run: overlap (the previous one still ran) or backoff (the provider is down).",
        labels: ["provider", "check", "reason"])

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
