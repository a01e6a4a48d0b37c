import Glibc
import ProviderExporter
import Synchronization

// The incident replay's engine: the exporter's own code (config and presets,
// checks, classification, the scheduler's slots with backoff and retry hints,
// state, exposition) run in virtual time against a fake provider on loopback
// that answers as a timeline says. Reads a plan (JSON, written by replay.py
// from a timeline), prints every scrape's exposition after a line
// `# REPLAY_SCRAPE <seconds since the replay's start>`. Used by
// Tests/replay/run.sh only; not a product.
//
// Usage: provider-replay PLAN.json

/// Virtual time, moved by the replay loop; nothing here sleeps.
final class VirtualClock: TimeSource, @unchecked Sendable {
    private let time: Mutex<Double>
    init(_ start: Double) { time = Mutex(start) }
    func now() -> Double { time.withLock { $0 } }
    func monotonic() -> Double { now() }
    func set(_ t: Double) { time.withLock { $0 = t } }
    func sleep(until t: Double) async throws {
        // Only the scheduler's driver sleeps, and the replay runs none.
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct Answer: Sendable {
    var share: Double
    var status = 200
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var timeout = false
}

struct Phase: Sendable {
    var from: Double  // minutes from onset
    var to: Double
    var checks: [String]?  // check types; nil: every check
    var answers: [Answer]
    var latencyMS: Double?
}

struct Plan: Sendable {
    var provider: String
    var preset: String
    var checkSet: String
    var startMinute: Double
    var endMinute: Double
    var scrapeSeconds: Double
    var latencyScale: Double
    var timeoutSeconds: Double
    var phases: [Phase]

    static func read(_ path: String) throws -> Plan {
        guard let bytes = Posix.readFile(path) else { throw Failure("cannot read \(path)") }
        let json = try JSONValue.parse(bytes)
        func number(_ v: JSONValue?, _ what: String) throws -> Double {
            guard let n = v?.number else { throw Failure("plan: \(what) is not a number") }
            return n
        }
        var phases: [Phase] = []
        for p in json["phases"]?.array ?? [] {
            var answers: [Answer] = []
            for a in p["answers"]?.array ?? [] {
                var answer = Answer(share: try number(a["share"], "share"))
                answer.status = Int(a["status"]?.number ?? 200)
                answer.body = Array((a["body"]?.string ?? "").utf8)
                if case .bool(true)? = a["timeout"] { answer.timeout = true }
                for h in a["headers"]?.array ?? [] {
                    if let name = h.array?.first?.string, let value = h.array?.last?.string { answer.headers.append((name, value)) }
                }
                answers.append(answer)
            }
            phases.append(Phase(from: try number(p["from"], "from"), to: try number(p["to"], "to"),
                                checks: p["checks"]?.array?.compactMap(\.string), answers: answers,
                                latencyMS: p["latency_ms"]?.number))
        }
        return Plan(provider: json["provider"]?.string ?? "replay", preset: json["preset"]?.string ?? "openai",
                    checkSet: json["check_set"]?.string ?? "default",
                    startMinute: try number(json["start"], "start"), endMinute: try number(json["end"], "end"),
                    scrapeSeconds: json["scrape_seconds"]?.number ?? 15, latencyScale: json["latency_scale"]?.number ?? 1,
                    timeoutSeconds: json["timeout_seconds"]?.number ?? 1, phases: phases)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

/// What the provider answers: per check type and phase, every answer's credit
/// grows by its share on each probe; the largest credit of at least 1 is used
/// (the first listed on a tie) and drops by 1; otherwise the probe succeeds.
final class Provider: Sendable {
    let plan: Plan
    let clock: VirtualClock
    let epoch: Double
    private let credits = Mutex<[String: [Double]]>([:])

    init(plan: Plan, clock: VirtualClock, epoch: Double) {
        self.plan = plan
        self.clock = clock
        self.epoch = epoch
    }

    enum Reply { case success(latency: Double), answer(Answer, latency: Double) }

    func reply(checkType: String) -> Reply {
        let minute = (clock.now() - epoch) / 60
        for (index, phase) in plan.phases.enumerated()
        where phase.from <= minute && minute < phase.to && (phase.checks?.contains(checkType) ?? true) {
            let latency = (phase.latencyMS ?? 0) / 1000 * plan.latencyScale
            let chosen = credits.withLock { all -> Int? in
                var c = all["\(checkType)/\(index)"] ?? [Double](repeating: 0, count: phase.answers.count)
                for i in c.indices { c[i] += phase.answers[i].share }
                var best: Int? = nil
                for i in c.indices where c[i] >= 1 - 1e-9 && (best == nil || c[i] > c[best!]) { best = i }
                if let best { c[best] -= 1 }
                all["\(checkType)/\(index)"] = c
                return best
            }
            if let chosen { return .answer(phase.answers[chosen], latency: latency) }
            return .success(latency: latency)
        }
        return .success(latency: 0)
    }
}

/// The success bodies each kind of check reads.
enum Bodies {
    static let models = #"{"object":"list","data":[{"id":"replay-model","object":"model"}],"models":[{"name":"models/replay-model"}]}"#
    static let openAIChat = #"{"id":"r","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#
    static let anthropicChat = #"{"id":"r","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":1}}"#
    static let geminiChat = #"{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1}}"#
    static let openRouterKey = #"{"data":{"label":"replay","limit":100,"limit_remaining":50,"usage":50}}"#
    static let deepSeekBalance = #"{"is_available":true,"balance_infos":[{"currency":"USD","total_balance":"10.00"}]}"#
}

func route(_ path: String, method: String, type: String, success: String, provider: Provider, timeout: Double) -> Route {
    Route(path, methods: [method], acceptsBody: method == "POST") { _ in
        let reply = provider.reply(checkType: type)
        return .later {
            switch reply {
            case .success(let latency):
                if latency > 0 { try? await Task.sleep(for: .milliseconds(Int64(latency * 1000))) }
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(success.utf8))
            case .answer(let answer, let latency):
                if answer.timeout {
                    // Held past the check's timeout: the client gives up first.
                    try? await Task.sleep(for: .milliseconds(Int64((timeout + 1) * 1000)))
                    return HTTPResponse(status: 504, body: [], close: true)
                }
                if latency > 0 { try? await Task.sleep(for: .milliseconds(Int64(latency * 1000))) }
                return HTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)
            }
        }
    }
}

/// Writes every byte to a descriptor (stdout 1, stderr 2).
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { return }
        offset += n
    }
}

func main() async throws {
    guard CommandLine.arguments.count == 2 else { throw Failure("usage: provider-replay PLAN.json") }
    let plan = try Plan.read(CommandLine.arguments[1])
    let logger = Logger(level: .error)
    // Virtual Unix time: the onset (minute 0) at a fixed instant.
    let epoch = 1_800_000_000.0
    let start = epoch + plan.startMinute * 60
    let clock = VirtualClock(start)
    let provider = Provider(plan: plan, clock: clock, epoch: epoch)

    let base = "/api"
    let t = plan.timeoutSeconds
    var router = Router()
    router.add(route(base + "/models", method: "GET", type: "models", success: Bodies.models, provider: provider, timeout: t))
    router.add(route(base + "/v1/models", method: "GET", type: "models", success: Bodies.models, provider: provider, timeout: t))
    router.add(route(base + "/chat/completions", method: "POST", type: "chat", success: Bodies.openAIChat, provider: provider, timeout: t))
    router.add(route(base + "/messages", method: "POST", type: "chat", success: Bodies.anthropicChat, provider: provider, timeout: t))
    router.add(route(base + "/models/replay-model:generateContent", method: "POST", type: "chat", success: Bodies.geminiChat,
                     provider: provider, timeout: t))
    router.add(route(base + "/key", method: "GET", type: "balance", success: Bodies.openRouterKey, provider: provider, timeout: t))
    router.add(route(base + "/user/balance", method: "GET", type: "balance", success: Bodies.deepSeekBalance, provider: provider, timeout: t))
    let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router, loopCount: 1, logger: logger)
    server.start()
    defer { _ = server.stop(timeout: 2) }

    // The preset's default checks; the chat set adds a chat check every 60 s.
    guard let preset = Preset.named(plan.preset) else { throw Failure("unknown preset \(plan.preset)") }
    var checks = "    checks:\n      - {name: \(preset.defaultCheck.name), type: \(preset.defaultCheck.type.rawValue)}\n"
    // A preset without a chat dialect (cohere) has no chat check to add.
    if plan.checkSet == "chat" && preset.chat != nil {
        checks += "      - {name: chat, type: chat, model: replay-model, interval: 60s}\n"
    }
    let yaml = """
        global: {timeout: \(Int(t * 1000))ms}
        providers:
          - name: \(plan.provider)
            preset: \(plan.preset)
            base_url: http://127.0.0.1:\(server.boundPort)\(base)
            api_key_env: REPLAY_KEY
            status_page: false

        """ + checks
    let config = try ConfigLoader.parse(yaml, fileName: "replay.yml", environment: ConfigEnvironment(
        variable: { $0 == "REPLAY_KEY" ? "replay-fake-key" : nil }, readFile: { _ in nil }))

    let store = StateStore()
    _ = store.apply(config, now: start)
    let scheduler = Scheduler(client: HTTPClient(), store: store, clock: clock, logger: logger)
    scheduler.apply(config, driven: false)

    // Step from event to event: a due slot or a scrape, whichever comes first.
    let end = epoch + plan.endMinute * 60
    var nextScrape = start
    var nextDue = await scheduler.runDue()
    var out: [UInt8] = []
    while nextScrape <= end {
        if nextDue < nextScrape {
            clock.set(nextDue)
            nextDue = await scheduler.runDue()
            continue
        }
        clock.set(nextScrape)
        nextDue = await scheduler.runDue()
        out += Array("# REPLAY_SCRAPE \(Int(nextScrape - start))\n".utf8)
        out += Exposition(state: store.view).encode(.text)
        if out.count > 1 << 20 {
            writeAll(1, out)
            out.removeAll(keepingCapacity: true)
        }
        nextScrape += plan.scrapeSeconds
    }
    writeAll(1, out)
    scheduler.stop()
}

do {
    try await main()
} catch {
    writeAll(2, Array("provider-replay: \(error)\n".utf8))
    exit(1)
}
