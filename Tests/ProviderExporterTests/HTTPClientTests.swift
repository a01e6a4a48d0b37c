import Foundation
import Testing
@testable import ProviderExporter

@Suite(.serialized) struct HTTPClientTests {

    static func request(_ url: String, timeout: Double = 2) -> ClientRequest {
        ClientRequest(url: url, timeout: timeout)
    }

    @Test func getsStatusHeadersBodyAndSendsUserAgent() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/v1/models", .json(200, #"{"data":[{"id":"m"}]}"#, headers: [("x-ratelimit-limit-requests", "100")]))
        var request = Self.request(fake.baseURL + "/v1/models")
        request.headers = [("X-Team", "search")]
        request.secretHeaders = [("Authorization", Secret("Bearer test-key-123"))]
        let response = await testClient.send(request)
        #expect(response.error == nil)
        #expect(response.status == 200)
        #expect(response.header("x-ratelimit-limit-requests") == "100")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"data":[{"id":"m"}]}"#)
        #expect(response.phases != nil && response.duration > 0)
        let seen = try #require(fake.requests.first)
        #expect(seen.headers["user-agent"] == "provider_exporter/\(BuildInfo.version)")
        #expect(seen.headers["authorization"] == "Bearer test-key-123" && seen.headers["x-team"] == "search")
    }

    @Test func hangTimesOutOnTime() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/hang", FakeProvider.Script(hang: true))
        let response = await testClient.send(Self.request(fake.baseURL + "/hang", timeout: 0.3))
        #expect(response.error == .timeout)
        // At its timeout, not before; the upper bound only says it did not hang.
        #expect(response.duration >= 0.29 && response.duration < 3, "\(response.duration)")
    }

    @Test func trickleCannotOutliveTheDeadline() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/slow", FakeProvider.Script(body: Array(repeating: 65, count: 100), trickle: 0.1))
        let response = await testClient.send(Self.request(fake.baseURL + "/slow", timeout: 0.5))
        #expect(response.error == .timeout)
        #expect(response.duration < 3)
    }

    @Test func refusedAndResetAreConnectErrors() async throws {
        // A port that was just free: nothing listens there.
        let probe = try FakeProvider()
        let closedPort = probe.port
        probe.stop()
        let refused = await testClient.send(Self.request("http://127.0.0.1:\(closedPort)/"))
        guard case .connect? = refused.error else { Issue.record("\(String(describing: refused.error))"); return }

        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/reset", FakeProvider.Script(resetBeforeHead: true))
        let reset = await testClient.send(Self.request(fake.baseURL + "/reset"))
        guard case .connect? = reset.error else { Issue.record("\(String(describing: reset.error))"); return }
        fake.set("/mid", FakeProvider.Script(body: Array(repeating: 66, count: 100_000), resetMidBody: true))
        let mid = await testClient.send(Self.request(fake.baseURL + "/mid"))
        #expect(mid.error != nil && mid.error != .timeout)
    }

    @Test func bodiesOverTheCapAreFlagged() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/big", FakeProvider.Script(body: Array(repeating: 120, count: 10 << 20)))
        let response = await testClient.send(Self.request(fake.baseURL + "/big"))
        #expect(response.bodyTooLarge)
        #expect(response.error == nil && response.status == 200)
        #expect(response.body.count <= 4 << 20)
    }

    @Test func redirectsAreNotFollowedUnlessAsked() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/from", FakeProvider.Script(status: 302, headers: [("Location", "/to")], body: []))
        fake.set("/to", .json(200, "{}"))
        let unfollowed = await testClient.send(Self.request(fake.baseURL + "/from"))
        #expect(unfollowed.status == 302 && unfollowed.location == fake.baseURL + "/to")
        var request = Self.request(fake.baseURL + "/from")
        request.maxRedirects = 5
        request.secretHeaders = [("X-Org-Key", Secret("test-org-secret"))]
        let followed = await testClient.send(request)
        #expect(followed.status == 200 && followed.hops.map(\.status) == [302, 200])
        // Same origin: the secret header is kept.
        #expect(fake.requests.last?.headers["x-org-key"] == "test-org-secret")
    }

    @Test func redirectLoopStopsAfterFiveAndOtherOriginsGetNoSecrets() async throws {
        let fake = try FakeProvider(), other = try FakeProvider()
        defer { fake.stop(); other.stop() }
        fake.set("/loop", FakeProvider.Script(status: 302, headers: [("Location", "/loop")], body: []))
        var loop = Self.request(fake.baseURL + "/loop")
        loop.maxRedirects = 5
        let looped = await testClient.send(loop)
        #expect(looped.error == .tooManyRedirects)
        #expect(fake.requests.count == 6)

        fake.set("/away", FakeProvider.Script(status: 307, headers: [("Location", other.baseURL + "/landing")], body: []))
        other.set("/landing", .json(200, "{}"))
        var away = Self.request(fake.baseURL + "/away")
        away.maxRedirects = 5
        away.secretHeaders = [("X-Org-Key", Secret("test-org-secret")), ("Authorization", Secret("Bearer test-key"))]
        let landed = await testClient.send(away)
        #expect(landed.status == 200)
        let seen = try #require(other.requests.first)
        #expect(seen.headers["x-org-key"] == nil && seen.headers["authorization"] == nil)
    }

    /// Delays of 0, 50 and 200 ms before the head, and 30 ms before the body,
    /// on the clock the client reads: each duration is exactly their sum.
    /// (How close that clock is to real time under load is the bench's
    /// `latency_err_p99_ms`.)
    @Test(arguments: [0.0, 0.05, 0.2])
    func latencyIsMeasuredOnTheClock(delay: Double) async throws {
        let clock = ManualClock(1000)
        let fake = try FakeProvider(clock: clock)
        defer { fake.stop() }
        let client = HTTPClient(clock: clock)
        defer { client.shutdown() }
        fake.set("/m", FakeProvider.Script(delay: delay, bodyDelay: 0.03))
        for _ in 0..<3 {
            let r = await client.send(Self.request(fake.baseURL + "/m"))
            #expect(r.status == 200)
            #expect(abs(r.duration - (delay + 0.03)) < 1e-9, "\(r.duration) for \(delay) + 0.03")
        }
    }

    /// 50 probes hanging for 3 s cost the transfer thread under 0.2 s of CPU
    /// (its own thread's CPU: other suites running beside this one do not count).
    @Test func hangingProbesCostNoCPU() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        fake.set("/hang", FakeProvider.Script(hang: true))
        _ = await client.send(Self.request(fake.baseURL + "/nothing"))
        let before = client.transferThreadCPUSeconds
        await withTaskGroup(of: ClientResponse.self) { group in
            for _ in 0..<50 { group.addTask { await client.send(Self.request(fake.baseURL + "/hang", timeout: 3)) } }
            for await r in group { #expect(r.error == .timeout) }
        }
        let used = client.transferThreadCPUSeconds - before
        #expect(used > 0 && used < 0.2, "CPU \(used) s")
    }

    /// Regression: a cancel that reached the transfer thread before the
    /// transfer itself was lost, and the probe ran to its full timeout.
    @Test func alreadyCancelledSendsEndAtOnce() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/hang", FakeProvider.Script(hang: true))
        let start = Date()
        for _ in 0..<20 {
            let task = Task { () -> ClientResponse in
                withUnsafeCurrentTask { $0?.cancel() }
                return await testClient.send(Self.request(fake.baseURL + "/hang", timeout: 30))
            }
            #expect(await task.value.error == .cancelled)
        }
        // Twenty sends that each waited out their timeout would take 600 s.
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func cancellationEndsTheTransfer() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/hang", FakeProvider.Script(hang: true))
        let task = Task { await testClient.send(Self.request(fake.baseURL + "/hang", timeout: 60)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = Date()
        let r = await task.value
        #expect(r.error == .cancelled)
        #expect(Date().timeIntervalSince(start) < 10, "ended by the cancel, not its 60 s timeout")
    }

    /// Only where loopback is the only interface (Tests/run.sh as root): a
    /// lookup there cannot leave the machine.
    @Test(.enabled(if: loopbackOnly, "needs a loopback-only network namespace"))
    func unknownHostIsADNSError() async {
        let r = await testClient.send(Self.request("http://provider-exporter-test.invalid/v1/models"))
        guard case .dns? = r.error else { Issue.record("\(String(describing: r.error))"); return }
    }

    @Test(arguments: [("Jun  1 12:00:00 2025 GMT", 1_748_779_200.0), ("2025-06-01 12:00:00 GMT", 1_748_779_200.0)])
    func certificateDates(text: String, epoch: Double) {
        #expect(Dates.certificate(text) == epoch)
    }
}

/// Whether this process sees no network interface but loopback.
/// `/proc/self/net/dev` follows the process's network namespace (sysfs does not).
let loopbackOnly: Bool = {
    guard let text = try? String(contentsOfFile: "/proc/self/net/dev", encoding: .utf8) else { return false }
    let interfaces = text.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
    return interfaces == ["lo"]
}()

@Suite(.serialized) struct TLSTests {
    @Test func verificationCustomCAServerNameInsecureAndExpiry() async throws {
        // Key generation and process start block: keep them off the task pool.
        let server = try await offPool { try HTTPSFakeProvider() }
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/v1/models"
        let client = testClient

        // A self-signed certificate is refused by default.
        let refused = await client.send(ClientRequest(url: url, timeout: 3))
        guard case .tls? = refused.error else { Issue.record("\(String(describing: refused.error))"); return }

        // Trusting its CA is not enough while the name does not match 127.0.0.1 ...
        var trusted = ClientRequest(url: url, timeout: 3)
        var tls = TLSConfig()
        tls.caFile = server.certificatePath
        trusted.tls = tls
        let mismatch = await client.send(trusted)
        guard case .tls? = mismatch.error else { Issue.record("\(String(describing: mismatch.error))"); return }

        // ... and with server_name it is verified and measured.
        tls.serverName = "fake-provider.test"
        trusted.tls = tls
        let verified = await client.send(trusted)
        #expect(verified.error == nil && verified.status == 200)
        let expiry = try #require(verified.certificateExpiry)
        let inThirtyDays = Date().timeIntervalSince1970 + 30 * 86_400
        #expect(abs(expiry - inThirtyDays) < 3600, "expiry \(expiry)")
        #expect((verified.phases?.tls ?? 0) > 0)

        var insecure = ClientRequest(url: url, timeout: 3)
        var skip = TLSConfig()
        skip.insecureSkipVerify = true
        insecure.tls = skip
        let skipped = await client.send(insecure)
        #expect(skipped.error == nil && skipped.status == 200)
    }
}

/// The probe thread is a task executor with timers (README, "Development"):
/// a task that prefers it starts its transfer, waits for it and sleeps there,
/// on that one thread; its timers keep time and end on cancellation; after a
/// shutdown, work goes elsewhere instead of hanging.
@Suite struct ProbeThreadTests {
    /// The calling thread's name, as the kernel has it.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aTaskThatPrefersItRunsBesideItsTransfers() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        fake.set("/m", .json(200, #"{"data":[]}"#))
        let client = HTTPClient()
        defer { client.shutdown() }
        let seen = await Task(executorPreference: client.executor) { () -> [String] in
            var names = [Self.threadName()]
            let r = await client.send(ClientRequest(url: fake.baseURL + "/m", timeout: 5))
            names.append(r.status == 200 ? Self.threadName() : "status \(r.status)")
            try? await client.sleep(until: Posix.wallSeconds() + 0.01, on: SystemClock())
            names.append(Self.threadName())
            return names
        }.value
        #expect(seen == ["probes", "probes", "probes"])
        // Without the preference, the same work runs on the task pool.
        let elsewhere = await Task { Self.threadName() }.value
        #expect(elsewhere != "probes")
    }

    @Test func timersKeepTimeAndEndOnCancel() async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        let clock = SystemClock()
        for delay in [0.0, 0.02, 0.15] {
            // Measured on the probe thread, where the timer fires: a busy task pool
            // (other suites) would only delay this task's resumption.
            let slept = try await Task(executorPreference: client.executor) { () -> Double in
                let start = clock.monotonic()
                try await client.sleep(until: clock.now() + delay, on: clock)
                return clock.monotonic() - start
            }.value
            // Never early (the timer rounds up to the millisecond); the upper bound only says it woke.
            #expect(slept >= delay - 0.002 && slept < delay + 30, "\(slept) s for \(delay) s")
        }
        let sleeper = Task(executorPreference: client.executor) { () -> Bool in
            do { try await client.sleep(until: clock.now() + 60, on: clock) } catch { return true }
            return false
        }
        try await Task.sleep(for: .milliseconds(50))
        let start = clock.monotonic()
        sleeper.cancel()
        #expect(await sleeper.value, "a cancelled sleep throws")
        #expect(clock.monotonic() - start < 30, "and ends at once, not at its 60 s deadline")
    }

    /// The timers' bookkeeping: a cancel after a timer fired (the scheduler
    /// cancels its driver's sleep whenever a finished probe files an earlier
    /// slot, which can be just after the timer fired) leaves nothing behind; a
    /// cancel before the sleep registers is remembered until it does; a
    /// cancelled timer is neither due nor the next deadline.
    @Test func timerBookkeeping() {
        var timers = HTTPClient.Timers<String>()
        let fired = timers.number()
        let registered = timers.register(fired, deadline: 10, "fired")
        let notYet = timers.due(at: 9), due = timers.due(at: 10)
        let afterFiring = timers.cancel(fired)
        #expect(registered && notYet.isEmpty && due == ["fired"] && afterFiring == nil)

        let early = timers.number()
        let cancelledEarly = timers.cancel(early)
        let lateRegistration = timers.register(early, deadline: 20, "early")
        #expect(cancelledEarly == nil && !lateRegistration, "cancelled before it registered")

        let waiting = timers.number(), later = timers.number()
        let both = timers.register(waiting, deadline: 30, "waiting") && timers.register(later, deadline: 40, "later")
        let next = timers.next()
        let cancelled = timers.cancel(waiting)
        let nextAfterCancel = timers.next()
        let last = timers.due(at: 100)
        #expect(both && next == 30 && cancelled == "waiting")
        #expect(nextAfterCancel == 40, "a cancelled timer is not the next deadline")
        #expect(last == ["later"])

        let none = timers.next()
        #expect(timers.waiters.isEmpty && timers.unregistered.isEmpty && timers.cancelledEarly.isEmpty && none == nil,
                "\(timers.waiters.count) waiting, \(timers.unregistered) unregistered, \(timers.cancelledEarly) cancelled early")
    }

    @Test func afterShutdownWorkGoesElsewhere() async throws {
        let client = HTTPClient()
        client.shutdown()
        // Jobs enqueued after the thread ended run on the global executor; sleeps use Task.sleep.
        let value = await Task(executorPreference: client.executor) { () -> Int in
            try? await client.sleep(until: Posix.wallSeconds() + 0.01, on: SystemClock())
            return 42
        }.value
        #expect(value == 42)
        let r = await client.send(ClientRequest(url: "http://127.0.0.1:9/", timeout: 5))
        #expect(r.error == .cancelled)
    }
}
