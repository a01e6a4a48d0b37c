/// Turns the state store into the per-check and per-provider families of SPEC
/// section 6. The only place those samples are produced.
public struct ProviderCollector: MetricsCollector {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    public func collect() -> [FamilySnapshot] {
        let (providers, inFlight) = store.snapshot
        return Self.families(providers, inFlight: inFlight)
    }

    /// Also used by `/probe` for one provider's series.
    static func families(_ providers: [ProviderRecord], inFlight: Int?) -> [FamilySnapshot] {
        var up: [Series] = [], duration: [Series] = [], phase: [Series] = [], probes: [Series] = []
        var last: [Series] = [], failures: [Series] = [], threshold: [Series] = [], status: [Series] = [], lastProbe: [Series] = []
        var next: [Series] = [], success: [Series] = [], limit: [Series] = [], remaining: [Series] = []
        var reset: [Series] = [], retry: [Series] = [], cert: [Series] = [], skipped: [Series] = []
        var credit: [Series] = [], tokens: [Series] = [], ttft: [Series] = []
        var state: [Series] = [], score: [Series] = [], info: [Series] = []
        var pageUp: [Series] = [], indicator: [Series] = [], component: [Series] = [], incidents: [Series] = []
        var started: [Series] = [], maintenances: [Series] = [], fetches: [Series] = []
        for p in providers {
            let name = p.config.name
            for health in ProviderHealth.allCases { state.append(Series([name, health.rawValue], p.health == health ? 1 : 0)) }
            if let s = p.healthScore { score.append(Series([name], s)) }
            info.append(Series([name, p.config.preset ?? "", p.config.priority.map(String.init) ?? ""], 1))
            if let page = p.statusPage {
                let pageLabels = [name, "status_page"]
                for result in FetchResult.allCases { fetches.append(Series([name, result.rawValue], Double(page.fetches[result] ?? 0))) }
                if let t = page.lastFetchAt { lastProbe.append(Series(pageLabels, t)) }
                if let t = page.nextFetchAt { next.append(Series(pageLabels, t)) }
                if let up = page.up { pageUp.append(Series([name], up ? 1 : 0)) }
                if let s = page.state {
                    for i in StatusIndicator.allCases { indicator.append(Series([name, i.rawValue], s.indicator == i ? 1 : 0)) }
                    for c in s.components {
                        for status in ComponentStatus.allCases {
                            component.append(Series([name, c.label, status.rawValue], c.status == status ? 1 : 0))
                        }
                    }
                    for impact in IncidentImpact.allCases {
                        incidents.append(Series([name, impact.rawValue], Double(s.incidents.filter { $0.impact == impact }.count)))
                    }
                    for i in s.incidents {
                        if let t = i.started { started.append(Series([name, i.id, i.name, i.impact.rawValue, i.status], t)) }
                    }
                    maintenances.append(Series([name], Double(s.maintenancesActive)))
                } else {
                    // All four impacts are always present.
                    for impact in IncidentImpact.allCases { incidents.append(Series([name, impact.rawValue], 0)) }
                }
            }
            for c in p.checks {
                let labels = [name, c.config.name]
                for result in ProbeResult.allCases { probes.append(Series(labels + [result.rawValue], Double(c.counts[result] ?? 0))) }
                for reason in SkipReason.allCases { skipped.append(Series(labels + [reason.rawValue], Double(c.skipped[reason] ?? 0))) }
                duration.append(Series(labels, histogram: c.histogram))
                if let chat = c.config.chat {
                    tokens.append(Series(labels + ["input"], Double(c.inputTokens)))
                    tokens.append(Series(labels + ["output"], Double(c.outputTokens)))
                    if chat.stream { ttft.append(Series(labels, histogram: c.timeToFirstToken)) }
                }
                if let t = c.nextProbeAt { next.append(Series(labels, t)) }
                threshold.append(Series(labels, Double(c.config.failureThreshold)))
                guard let result = c.lastResult else { continue }
                up.append(Series(labels, result.isSuccess ? 1 : 0))
                last.append(Series(labels + [result.rawValue], 1))
                failures.append(Series(labels, Double(c.consecutiveFailures)))
                status.append(Series(labels, Double(c.lastStatus)))
                if let t = c.lastProbeAt { lastProbe.append(Series(labels, t)) }
                if let t = c.lastSuccessAt { success.append(Series(labels, t)) }
                if let ph = c.phases {
                    for (key, value) in [("resolve", ph.resolve), ("connect", ph.connect), ("tls", ph.tls),
                                         ("processing", ph.processing), ("transfer", ph.transfer)] {
                        phase.append(Series(labels + [key], value))
                    }
                }
                for (resource, w) in c.rateLimits {
                    if let v = w.limit { limit.append(Series(labels + [resource.rawValue], v)) }
                    if let v = w.remaining { remaining.append(Series(labels + [resource.rawValue], v)) }
                    if let v = w.reset { reset.append(Series(labels + [resource.rawValue], v)) }
                }
                if let v = c.retryAfter { retry.append(Series(labels, v)) }
                if let v = c.certificateExpiry { cert.append(Series(labels, v)) }
                for (currency, amount) in c.balances { credit.append(Series(labels + [currency], amount)) }
            }
        }
        var families = [
            FamilySnapshot(Families.up, up), FamilySnapshot(Families.probeDuration, duration),
            FamilySnapshot(Families.probePhase, phase), FamilySnapshot(Families.probes, probes),
            FamilySnapshot(Families.lastResult, last), FamilySnapshot(Families.consecutiveFailures, failures),
            FamilySnapshot(Families.failureThreshold, threshold),
            FamilySnapshot(Families.httpStatus, status), FamilySnapshot(Families.lastProbe, lastProbe),
            FamilySnapshot(Families.nextProbe, next), FamilySnapshot(Families.lastSuccess, success),
            FamilySnapshot(Families.rateLimitLimit, limit), FamilySnapshot(Families.rateLimitRemaining, remaining),
            FamilySnapshot(Families.rateLimitReset, reset), FamilySnapshot(Families.retryAfter, retry),
            FamilySnapshot(Families.certificateExpiry, cert), FamilySnapshot(Families.creditBalance, credit),
            FamilySnapshot(Families.probeTokens, tokens), FamilySnapshot(Families.timeToFirstToken, ttft),
            FamilySnapshot(Families.state, state),
            FamilySnapshot(Families.healthScore, score), FamilySnapshot(Families.info, info),
            FamilySnapshot(Families.statusPageUp, pageUp), FamilySnapshot(Families.statusIndicator, indicator),
            FamilySnapshot(Families.componentStatus, component), FamilySnapshot(Families.incidents, incidents),
            FamilySnapshot(Families.incidentStarted, started), FamilySnapshot(Families.maintenancesActive, maintenances),
            FamilySnapshot(Families.statusPageFetches, fetches),
        ]
        if let inFlight {
            families.append(FamilySnapshot(Families.probesInFlight, [Series(Double(inFlight))]))
            families.append(FamilySnapshot(Families.probesSkipped, skipped))
        }
        return families
    }
}
