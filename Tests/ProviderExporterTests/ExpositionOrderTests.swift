import Testing
@testable import ProviderExporter

/// The exposition written from the store must be byte for byte what the
/// previous implementation wrote: build every series as a value, then sort
/// families by name and series by label values (kept here, verbatim, as the
/// reference). Random stores exercise name prefixes ('-' < '0' < '_' < 'a'),
/// escaping (components, incidents, currencies come from responses), every
/// family, and status pages among the checks.
@Suite struct ExpositionOrderTests {
    enum Reference {
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
                    for result in ProbeResult.allCases { probes.append(Series(labels + [result.rawValue], Double(c.counts[result]))) }
                    for reason in SkipReason.allCases { skipped.append(Series(labels + [reason.rawValue], Double(c.skipped[reason]))) }
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
                FamilySnapshot(CheckFamilies.up.family, up), FamilySnapshot(CheckFamilies.probeDuration.family, duration),
                FamilySnapshot(CheckFamilies.probePhase.family, phase), FamilySnapshot(CheckFamilies.probes.family, probes),
                FamilySnapshot(CheckFamilies.lastResult.family, last), FamilySnapshot(CheckFamilies.consecutiveFailures.family, failures),
                FamilySnapshot(CheckFamilies.failureThreshold.family, threshold),
                FamilySnapshot(CheckFamilies.httpStatus.family, status), FamilySnapshot(CheckFamilies.lastProbe.family, lastProbe),
                FamilySnapshot(CheckFamilies.nextProbe.family, next), FamilySnapshot(CheckFamilies.lastSuccess.family, success),
                FamilySnapshot(CheckFamilies.rateLimitLimit.family, limit), FamilySnapshot(CheckFamilies.rateLimitRemaining.family, remaining),
                FamilySnapshot(CheckFamilies.rateLimitReset.family, reset), FamilySnapshot(CheckFamilies.retryAfter.family, retry),
                FamilySnapshot(CheckFamilies.certificateExpiry.family, cert), FamilySnapshot(CheckFamilies.creditBalance.family, credit),
                FamilySnapshot(CheckFamilies.probeTokens.family, tokens), FamilySnapshot(CheckFamilies.timeToFirstToken.family, ttft),
                FamilySnapshot(Families.state, state),
                FamilySnapshot(Families.healthScore, score), FamilySnapshot(Families.info, info),
                FamilySnapshot(Families.statusPageUp, pageUp), FamilySnapshot(Families.statusIndicator, indicator),
                FamilySnapshot(Families.componentStatus, component), FamilySnapshot(Families.incidents, incidents),
                FamilySnapshot(Families.incidentStarted, started), FamilySnapshot(Families.maintenancesActive, maintenances),
                FamilySnapshot(Families.statusPageFetches, fetches),
            ]
            if let inFlight {
                families.append(FamilySnapshot(Families.probesInFlight, [Series(Double(inFlight))]))
                families.append(FamilySnapshot(CheckFamilies.probesSkipped.family, skipped))
            }
            return families
        }

    }

    static let names = ["a", "a-b", "a0", "a_b", "ab", "b", "models", "models-2", "chat", "z9"]
    static let texts = ["x", "x y", "quote\"d", "back\\slash", "new\nline", "ünï ✓", "X", "x-", "", "a/b"]

    /// A config of random providers and checks, and a store holding random
    /// outcomes of them.
    static func randomStore(seed: UInt64) throws -> StateStore {
        var rng = SeededRandom(seed)
        var yaml = "providers:\n"
        let providers = Array(names.shuffled(using: &rng).prefix(Int.random(in: 3 ... 8, using: &rng)))
        for name in providers {
            let page = Bool.random(using: &rng)
            switch Int.random(in: 0 ..< 3, using: &rng) {
            case 0:
                yaml += "  - name: \(name)\n    preset: openrouter\n    api_key_env: OPENAI_API_KEY\n"
                yaml += "    checks: [{name: key, type: balance}, {name: models, type: models}]\n"
            default:
                yaml += "  - name: \(name)\n    preset: openai_compatible\n    base_url: http://127.0.0.1:9/v1\n"
                if Bool.random(using: &rng) { yaml += "    priority: \(Int.random(in: 1 ... 3, using: &rng))\n" }
                let checks = Array(names.shuffled(using: &rng).prefix(Int.random(in: 1 ... 4, using: &rng)))
                yaml += "    checks:\n"
                for check in checks {
                    yaml += Bool.random(using: &rng)
                        ? "      - {name: \(check), type: chat, model: m, stream: \(Bool.random(using: &rng))}\n"
                        : "      - {name: \(check), type: models}\n"
                }
            }
            if page { yaml += "    status_page: {url: 'http://127.0.0.1:9', format: statuspage}\n" }
        }
        let config = try stateConfig(yaml)
        let store = StateStore()
        store.apply(config, now: 1_795_000_000)
        for provider in config.providers {
            for check in provider.checks where Int.random(in: 0 ..< 4, using: &rng) > 0 {
                for probe in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                    var outcome = ProbeOutcome(result: ProbeResult.allCases.randomElement(using: &rng)!,
                                               status: [0, 200, 429, 503].randomElement(using: &rng)!,
                                               duration: Double.random(in: 0 ... 3, using: &rng))
                    if Bool.random(using: &rng) {
                        outcome.phases = PhaseTimings(resolve: 0.001, connect: Double.random(in: 0 ... 1, using: &rng), tls: 0,
                                                      processing: 0.25, transfer: 1e-5)
                    }
                    for resource in RateLimitResource.allCases where Int.random(in: 0 ..< 3, using: &rng) == 0 {
                        outcome.rateLimits.windows[resource] = RateLimitWindow(
                            limit: Bool.random(using: &rng) ? 1000 : nil, remaining: Double(Int.random(in: 0 ... 1000, using: &rng)),
                            reset: Bool.random(using: &rng) ? 1_795_000_060.5 : nil)
                    }
                    if Bool.random(using: &rng) { outcome.rateLimits.retryAfter = 30 }
                    if Bool.random(using: &rng) { outcome.certificateExpiry = 1_800_000_000 }
                    if check.type == .balance {
                        var balances: [String: Double] = [:]
                        for currency in texts.shuffled(using: &rng).prefix(Int.random(in: 0 ... 3, using: &rng)) {
                            balances[currency] = Double.random(in: -5 ... 500, using: &rng)
                        }
                        outcome.balances = balances
                    }
                    if check.chat != nil {
                        outcome.tokens = (Int.random(in: 0 ... 20, using: &rng), Int.random(in: 0 ... 20, using: &rng))
                        outcome.timeToFirstToken = Double.random(in: 0 ... 2, using: &rng)
                    }
                    store.record(provider: provider.name, check: check.name, outcome: outcome, finishedAt: 1_795_000_000 + Double(probe))
                }
                if Bool.random(using: &rng) { store.setNextProbe(provider: provider.name, check: check.name, at: 1_795_000_015.25) }
                if Bool.random(using: &rng) { store.countSkip(provider: provider.name, check: check.name, reason: .overlap) }
            }
            guard provider.statusPage != nil else { continue }
            if Bool.random(using: &rng) { store.setNextStatusPageFetch(provider: provider.name, at: 1_795_000_060) }
            switch Int.random(in: 0 ..< 3, using: &rng) {
            case 0: _ = store.recordStatusPage(provider: provider.name, outcome: .error("boom"), finishedAt: 1_795_000_001)
            case 1:
                let components = texts.shuffled(using: &rng).prefix(Int.random(in: 0 ... 5, using: &rng)).enumerated().map { i, label in
                    PageComponent(id: "c\(i)", name: label, label: label, status: ComponentStatus.allCases.randomElement(using: &rng)!)
                }
                let incidents = (0 ..< Int.random(in: 0 ... 3, using: &rng)).map { i in
                    PageIncident(id: texts.randomElement(using: &rng)! + "\(i)", name: texts.randomElement(using: &rng)!,
                                 impact: IncidentImpact.allCases.randomElement(using: &rng)!,
                                 status: ["investigating", "monitoring"].randomElement(using: &rng)!,
                                 started: Bool.random(using: &rng) ? 1_794_999_000 : nil)
                }
                let state = StatusPageState(indicator: StatusIndicator.allCases.randomElement(using: &rng)!,
                                            components: Array(components), incidents: incidents,
                                            maintenancesActive: Int.random(in: 0 ... 2, using: &rng))
                _ = store.recordStatusPage(provider: provider.name, outcome: .ok(state), finishedAt: 1_795_000_002)
            default: break
            }
        }
        return store
    }

    @Test(arguments: 0 ..< 24)
    func writerMatchesTheReference(seed: UInt64) throws {
        let store = try Self.randomStore(seed: seed)
        let (providers, inFlight) = store.snapshot
        for format in [ExpositionFormat.text, .openMetrics] {
            let written = Exposition(state: store.view).encode(format)
            let reference = Exposition(Reference.families(providers, inFlight: inFlight)).encode(format)
            let same = written == reference
            #expect(same, "seed \(seed), \(format): \(firstDifference(written, reference))")
            // /probe and debug reports: one provider, its layout worked out on the spot.
            for record in providers.prefix(3) {
                let one = Exposition(state: StateView([record])).encode(format)
                let expected = Exposition(Reference.families([record], inFlight: nil)).encode(format)
                let same = one == expected
                #expect(same, "seed \(seed), \(record.config.name): \(firstDifference(one, expected))")
            }
        }
    }

    /// A gzip scrape is compressed while it is written, in pieces: whatever
    /// the piece size (1 byte, a few lines, the default), `gzip -dc` gives
    /// back exactly the plain body, in both formats.
    @Test(arguments: [(UInt64(1), 1), (2, 97), (3, 4096), (4, 1 << 18)])
    func streamedGzipIsThePlainBody(seed: UInt64, chunk: Int) throws {
        let store = try Self.randomStore(seed: seed)
        for format in [ExpositionFormat.text, .openMetrics] {
            let exposition = Exposition(state: store.view)
            let plain = exposition.encode(format)
            let (gzipped, size) = exposition.encodeGzipped(format, chunk: chunk)
            #expect(size == plain.count)
            let unpacked = try gunzip(try #require(gzipped))
            #expect(unpacked == plain, "seed \(seed), chunk \(chunk), \(format): \(firstDifference(unpacked, plain))")
        }
    }

    /// The stream on its own: nothing written is an empty member; pieces of
    /// any size (and an empty one) come back in order.
    @Test func gzipStreamPieces() throws {
        #expect(try gunzip(try #require(Gzip.Stream(expected: 0).finish())) == [])
        var rng = SeededRandom(31)
        let body = (0 ..< 300_000).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 6) }
        let stream = Gzip.Stream(expected: body.count, capacity: 16)
        var at = 0
        for size in [0, 1, 7, 65_536, 0, 100_000] + Array(repeating: 50_000, count: 3) {
            let end = min(body.count, at + size)
            body[at ..< end].withUnsafeBufferPointer { stream.write($0) }
            at = end
        }
        body[at...].withUnsafeBufferPointer { stream.write($0) }
        #expect(stream.taken == body.count)
        #expect(try gunzip(try #require(stream.finish())) == body)
    }

    /// The one writer of per-check families places any extra label, wherever
    /// its name sorts: before `check`, between `check` and `provider`, or after
    /// `provider` (the shipped families use the last two), for enum values and
    /// keyed ones, as the sort-everything reference would.
    @Test(arguments: 0 ..< 6)
    func extraLabelsSortWhereverTheirNameFalls(seed: UInt64) throws {
        let store = try Self.randomStore(seed: seed)
        let view = store.view
        var families: [CheckFamily] = []
        for extra in ["alpha", "kind", "zone"] {
            families.append(CheckFamily("test_\(extra)_reasons", .gauge, "Synthetic.", extra: extra,
                                        CheckFamily.labelled(SkipReason.self) { c, reason in
                                            c.pointee.lastResult == nil ? nil : Double(reason.ordinal) + Double(c.pointee.lastStatus)
                                        }))
            families.append(CheckFamily("test_\(extra)_keyed", .gauge, "Synthetic.", extra: extra, .keyed { c in
                c.pointee.lastResult == nil ? [:] : ["b\(c.pointee.lastStatus)": 1, "a": Double(c.pointee.consecutiveFailures)]
            }))
        }
        let table = CheckTable(view, families: families)
        let written: [UInt8] = ExpositionLabels.of(view).withBuffers { labels in
            var buffer: [UInt8] = []
            var w = ExpositionWriter(format: .text, reusing: &buffer)
            for i in families.indices {
                CheckExposition.write(i, &w, ProviderExposition.Input(view: view, table: table, labels: labels), families: families)
            }
            w.finish()
            return w.bytes
        }
        var snapshots: [FamilySnapshot] = []
        for (f, family) in families.enumerated() {
            var series: [Series] = []
            for p in view.providers {
                for c in p.checks where c.lastResult != nil {
                    let labels = [p.config.name, c.config.name]
                    if f % 2 == 0 {
                        for reason in SkipReason.allCases {
                            series.append(Series(labels + [reason.rawValue], Double(reason.ordinal) + Double(c.lastStatus)))
                        }
                    } else {
                        series.append(Series(labels + ["b\(c.lastStatus)"], 1))
                        series.append(Series(labels + ["a"], Double(c.consecutiveFailures)))
                    }
                }
            }
            snapshots.append(FamilySnapshot(family.family, series))
        }
        var reference: [UInt8] = []
        var w = ExpositionWriter(format: .text, reusing: &reference)
        for snapshot in snapshots { Exposition.write(snapshot, to: &w) }
        w.finish()
        let same = written == w.bytes
        #expect(same, "seed \(seed): \(firstDifference(written, w.bytes))")
        #expect(families.map(\.placement) == [.beforeCheck, .beforeCheck, .betweenCheckAndProvider, .betweenCheckAndProvider,
                                               .afterProvider, .afterProvider])
    }

    /// The page a status page's new labels change is re-sorted when it is recorded.
    @Test func componentLabelsChangingKeepTheOrder() throws {
        let store = try Self.randomStore(seed: 7)
        let page = store.snapshot.providers.first { $0.statusPage != nil }
        guard let name = page?.config.name else { return }
        for labels in [["b", "a"], ["a", "c", "b"], ["z"]] {
            let state = StatusPageState(indicator: .minor, components: labels.map {
                PageComponent(id: $0, name: $0, label: $0, status: .operational)
            }, incidents: [], maintenancesActive: 0)
            _ = store.recordStatusPage(provider: name, outcome: .ok(state), finishedAt: 1_795_000_100)
            let (providers, inFlight) = store.snapshot
            let written = Exposition(state: store.view).encode(.text)
            let reference = Exposition(Reference.families(providers, inFlight: inFlight)).encode(.text)
            let same = written == reference
            #expect(same, "\(labels): \(firstDifference(written, reference))")
        }
    }

    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let x = String(decoding: a, as: UTF8.self).split(separator: "\n"), y = String(decoding: b, as: UTF8.self).split(separator: "\n")
        for (i, (l, r)) in zip(x, y).enumerated() where l != r { return "line \(i + 1): wrote '\(l)', reference '\(r)'" }
        return "lengths \(x.count) and \(y.count)"
    }
}

@Suite struct ExpositionLayoutTests {
    @Test func aReloadDropsTheLabelTextOfRemovedChecksAndProviders() throws {
        let store = StateStore()
        let both = """
        providers:
          - {name: kept, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1', checks: [{name: models, type: models}, {name: gone-check, type: models}]}
          - {name: gone-provider, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1'}
        """
        store.apply(try stateConfig(both))
        func labels() -> String {
            let view = store.view
            return ExpositionLabels.of(view).withBuffers { b in
                view.layout.checks.indices.map { String(decoding: b.check($0), as: UTF8.self) }.joined(separator: ";")
            }
        }
        #expect(labels().contains("gone-check") && labels().contains("gone-provider"))
        store.apply(try stateConfig("providers:\n  - {name: kept, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1', checks: [{name: models, type: models}]}\n"))
        #expect(labels() == #"check="models",provider="kept""#)
        #expect(!exposition(store).contains("gone"))
    }
}
