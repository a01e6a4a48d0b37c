/// Every per-check family (labels `check`, `provider`, and at most one more),
/// each declared once with its value, read from the check's record in place
/// (`c.pointee`: copying the record for each family and check was half a
/// render). Adding one is its entry here, in `all`, and its test;
/// `CheckTable` reads the values and `CheckExposition` writes them. Values are
/// absent (no series) before a check's first probe unless noted; the
/// timestamp families have a series per status page too.
enum CheckFamilies {
    static let up = CheckFamily(
        "provider_up", .gauge, "1 if the last background probe of the check succeeded, else 0.",
        .single { c in c.pointee.lastResult.map { $0.isSuccess ? 1 : 0 } })
    static let consecutiveFailures = CheckFamily(
        "provider_consecutive_failures", .gauge, "Failed background probes since the last success.",
        .single { c in c.pointee.lastResult == nil ? nil : Double(c.pointee.consecutiveFailures) })
    /// From the config: present before the first probe.
    static let failureThreshold = CheckFamily(
        "provider_failure_threshold", .gauge,
        "The check's effective failure_threshold: consecutive failures that make its provider down.",
        .single { c in Double(c.pointee.config.failureThreshold) })
    static let httpStatus = CheckFamily(
        "provider_http_status_code", .gauge, "HTTP status of the last background probe's response, 0 if none.",
        .single { c in c.pointee.lastResult == nil ? nil : Double(c.pointee.lastStatus) })
    static let lastProbe = CheckFamily(
        "provider_last_probe_timestamp_seconds", .gauge, "Unix time the last background probe finished.",
        page: { $0.lastFetchAt }, .single { c in c.pointee.lastResult == nil ? nil : c.pointee.lastProbeAt })
    /// Present from the moment the check is scheduled.
    static let nextProbe = CheckFamily(
        "provider_next_probe_timestamp_seconds", .gauge,
        "Unix time the next background probe is due (backoff and Retry-After included); time() far past it means the scheduler is stuck.",
        page: { $0.nextFetchAt }, .single { c in c.pointee.nextProbeAt })
    static let lastSuccess = CheckFamily(
        "provider_last_success_timestamp_seconds", .gauge, "Unix time of the last successful background probe.",
        .single { c in c.pointee.lastResult == nil ? nil : c.pointee.lastSuccessAt })
    static let retryAfter = CheckFamily(
        "provider_retry_after_seconds", .gauge, "The Retry-After hint of the last background probe's response, in seconds.",
        .single { c in c.pointee.lastResult == nil ? nil : c.pointee.retryAfter })
    static let certificateExpiry = CheckFamily(
        "provider_tls_cert_expiry_timestamp_seconds", .gauge,
        "Unix time the earliest certificate of the peer's chain expires, from the last HTTPS background probe.",
        .single { c in c.pointee.lastResult == nil ? nil : c.pointee.certificateExpiry })

    /// Buckets from the config: present before the first probe.
    static let probeDuration = CheckFamily(
        "provider_probe_duration_seconds", .histogram, "Duration of every completed background probe, in seconds.",
        .histogram { c in c.pointer(to: \.histogram) })
    static let timeToFirstToken = CheckFamily(
        "provider_time_to_first_token_seconds", .histogram,
        "Streamed chat checks: seconds from the request to the first content delta of every completed background probe.",
        .histogram { c in c.pointee.config.chat?.stream == true ? c.pointer(to: \.timeToFirstToken) : nil })

    /// Every result, 0 before it happens.
    static let probes = CheckFamily(
        "provider_probes_total", .counter, "Background probes by result.", extra: "result",
        CheckFamily.labelled(ProbeResult.self) { c, result in Double(c.pointee.counts[result]) })
    static let lastResult = CheckFamily(
        "provider_last_result", .gauge, "1, labelled with the result of the last background probe of the check.", extra: "result",
        CheckFamily.labelled(ProbeResult.self) { c, result in c.pointee.lastResult == result ? 1 : nil })
    static let probePhase = CheckFamily(
        "provider_probe_phase_seconds", .gauge,
        "Phases of the last background probe where measurable: resolve, connect, tls, processing (to first byte), transfer.",
        extra: "phase",
        CheckFamily.labelled(ProbePhase.self) { c, phase in c.pointee.lastResult == nil ? nil : c.pointee.phases.map(phase.seconds) })
    static let rateLimitLimit = CheckFamily(
        "provider_ratelimit_limit", .gauge, "Rate-limit window size the provider reported in its last response with rate-limit headers.",
        extra: "resource", CheckFamily.labelled(RateLimitResource.self) { c, r in c.pointee.rateLimits.isEmpty ? nil : c.pointee.rateLimits[r]?.limit })
    static let rateLimitRemaining = CheckFamily(
        "provider_ratelimit_remaining", .gauge, "What the provider reported left in the rate-limit window.",
        extra: "resource", CheckFamily.labelled(RateLimitResource.self) { c, r in c.pointee.rateLimits.isEmpty ? nil : c.pointee.rateLimits[r]?.remaining })
    static let rateLimitReset = CheckFamily(
        "provider_ratelimit_reset_timestamp_seconds", .gauge, "Unix time the rate-limit window resets (relative resets converted).",
        extra: "resource", CheckFamily.labelled(RateLimitResource.self) { c, r in c.pointee.rateLimits.isEmpty ? nil : c.pointee.rateLimits[r]?.reset })

    /// Chat checks, 0 before their first probe.
    static let probeTokens = CheckFamily(
        "provider_probe_tokens_total", .counter, "chat checks: tokens the provider reported for background probes, by kind (input, output).",
        extra: "kind",
        CheckFamily.labelled(TokenKind.self) { c, kind in
            c.pointee.config.chat == nil ? nil : Double(kind == .input ? c.pointee.inputTokens : c.pointee.outputTokens)
        })
    static let creditBalance = CheckFamily(
        "provider_credit_balance", .gauge,
        "balance checks: remaining prepaid credit in the provider's currency, from the last successful background probe.",
        extra: "currency", .keyed { c in c.pointee.lastResult == nil ? [:] : c.pointee.balances })

    /// Every reason, 0 before it happens.
    static let probesSkipped = CheckFamily(
        "provider_exporter_probes_skipped_total", .counter,
        "Scheduled probes that did not run: overlap (the previous one still ran) or backoff (the provider is down).",
        extra: "reason", exporterWide: true,
        CheckFamily.labelled(SkipReason.self) { c, reason in Double(c.pointee.skipped[reason]) })

    static let all = [up, consecutiveFailures, failureThreshold, httpStatus, lastProbe, nextProbe, lastSuccess, retryAfter,
                      certificateExpiry, probeDuration, timeToFirstToken, probes, lastResult, probePhase, rateLimitLimit,
                      rateLimitRemaining, rateLimitReset, probeTokens, creditBalance, probesSkipped]
}

/// `provider_probe_phase_seconds{phase}`.
enum ProbePhase: String, CaseIterable, Sendable {
    case resolve, connect, tls, processing, transfer

    func seconds(_ t: PhaseTimings) -> Double {
        switch self {
        case .resolve: t.resolve
        case .connect: t.connect
        case .tls: t.tls
        case .processing: t.processing
        case .transfer: t.transfer
        }
    }
}

/// `provider_probe_tokens_total{kind}`.
enum TokenKind: String, CaseIterable, Sendable {
    case input, output
}
