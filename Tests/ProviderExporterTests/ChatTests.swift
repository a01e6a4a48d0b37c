import Foundation
import Testing
@testable import ProviderExporter

@Suite(.serialized) struct ChatTests {
    static func provider(_ preset: String, fake: FakeProvider, stream: Bool, model: String = "m-1") throws -> ProviderConfig {
        let base = Preset.named(preset)?.baseURL.flatMap { URL(string: $0)?.path } ?? "/v1"
        return try ConfigLoader.parse("""
        providers:
          - name: p
            preset: \(preset)
            base_url: \(fake.baseURL + base)
            api_key_env: KEY
            checks: [{name: chat, type: chat, model: '\(model)', stream: \(stream)}]
        """, fileName: "t.yml", environment: PresetTests.keyEnvironment).providers[0]
    }

    static func run(_ p: ProviderConfig) async -> ProbeOutcome? {
        await Checks.make(p.checks[0], provider: p).run(using: testClient, timeout: 5)
    }

    /// A probe on a client that shares `clock` with a fake provider that moves it.
    static func run(_ p: ProviderConfig, clock: ManualClock) async -> ProbeOutcome? {
        let client = HTTPClient(clock: clock)
        defer { client.shutdown() }
        return await Checks.make(p.checks[0], provider: p).run(using: client, timeout: 5, clock: clock)
    }

    @Test func chatDefaultsAndValidation() throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let p = try Self.provider("openai", fake: fake, stream: false)
        #expect(p.checks[0].interval == .seconds(300) && p.checks[0].chat?.maxTokens == 1)
        #expect(configErrors("providers:\n  - name: c\n    preset: cohere\n    api_key_env: OPENAI_API_KEY\n    checks: [{name: chat, type: chat, model: x}]\n")
            == ["cfg.yml:5:33: providers[0].checks[0].type: preset 'cohere' has no chat dialect here; use a models or http check"])
        #expect(configErrors("providers:\n  - name: c\n    preset: openai\n    api_key_env: OPENAI_API_KEY\n    checks: [{name: chat, type: chat}]\n")
            == ["cfg.yml:5:14: providers[0].checks[0]: missing key 'model' (chat checks need one)"])
    }

    /// Each dialect's request: method, path, auth, body.
    @Test(arguments: [
        // OpenAI deprecated max_tokens and its reasoning models reject it; other
        // OpenAI-compatible APIs keep it.
        ("openai", false, "/v1/chat/completions", #"{"model":"m-1","messages":[{"role":"user","content":"Reply with the single word OK."}],"max_completion_tokens":1}"#),
        ("openai", true, "/v1/chat/completions", #"{"model":"m-1","messages":[{"role":"user","content":"Reply with the single word OK."}],"max_completion_tokens":1,"stream":true,"stream_options":{"include_usage":true}}"#),
        ("groq", false, "/openai/v1/chat/completions", #"{"model":"m-1","messages":[{"role":"user","content":"Reply with the single word OK."}],"max_tokens":1}"#),
        ("openai_compatible", false, "/v1/chat/completions", #"{"model":"m-1","messages":[{"role":"user","content":"Reply with the single word OK."}],"max_tokens":1}"#),
        ("anthropic", false, "/v1/messages", #"{"model":"m-1","max_tokens":1,"messages":[{"role":"user","content":"Reply with the single word OK."}]}"#),
        ("gemini", false, "/v1beta/models/m-1:generateContent", #"{"contents":[{"role":"user","parts":[{"text":"Reply with the single word OK."}]}],"generationConfig":{"maxOutputTokens":1}}"#),
        ("gemini", true, "/v1beta/models/m-1:streamGenerateContent", #"{"contents":[{"role":"user","parts":[{"text":"Reply with the single word OK."}]}],"generationConfig":{"maxOutputTokens":1}}"#),
    ] as [(String, Bool, String, String)])
    func requests(preset: String, stream: Bool, path: String, body: String) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let outcome = await Self.run(try Self.provider(preset, fake: fake, stream: stream))
        let seen = try #require(fake.requests.first, "no request reached the fake; the probe: \(String(describing: outcome))")
        #expect(seen.method == "POST" && seen.path == path)
        #expect(String(decoding: seen.body, as: UTF8.self) == body)
        #expect(seen.headers["content-type"] == "application/json")
    }

    /// Whole answers: recorded (Anthropic) and built from the documented schemas
    /// (synthetic: OpenAI with legacy fields and empty content, Gemini).
    @Test(arguments: [
        ("anthropic", "/v1/messages", "ratelimit-headers/anthropic-2.txt", 43, 172),
        ("openai", "/v1/chat/completions", #"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"","function_call":null},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":14,"completion_tokens":1,"total_tokens":15}}"#, 14, 1),
        // A reasoning model cut off by max_completion_tokens before any visible text.
        ("openai", "/v1/chat/completions", #"{"id":"c","object":"chat.completion","model":"o4-mini","choices":[{"index":0,"message":{"role":"assistant","content":"","refusal":null,"annotations":[]},"finish_reason":"length"}],"usage":{"prompt_tokens":13,"completion_tokens":1,"total_tokens":14,"completion_tokens_details":{"reasoning_tokens":1}}}"#, 13, 1),
        ("gemini", "/v1beta/models/m-1:generateContent", #"{"candidates":[{"content":{"parts":[{"text":"OK"}],"role":"model"},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1,"totalTokenCount":9}}"#, 8, 1),
    ] as [(String, String, String, Int, Int)])
    func wholeAnswers(preset: String, path: String, body: String, input: Int, output: Int) async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let bytes = body.hasSuffix(".txt") ? try RecordedResponse(body).body : Array(body.utf8)
        fake.set(path, FakeProvider.Script(body: bytes))
        let outcome = try #require(await Self.run(try Self.provider(preset, fake: fake, stream: false)))
        #expect(outcome.result == .success, "\(String(describing: outcome.error))")
        #expect(outcome.tokens?.input == input && outcome.tokens?.output == output)
        #expect(outcome.timeToFirstToken == nil)
    }

    /// Recorded streams (DeepSeek and Groq speak OpenAI's; Anthropic its own),
    /// sent 0.2 s after the head and 0.1 s after the request on the clock the
    /// client reads: TTFT is exactly the time to the first content, tokens from usage.
    @Test(arguments: [
        ("deepseek", "/chat/completions", "ratelimit-headers/deepseek-1.txt", 32, 324),
        ("groq", "/openai/v1/chat/completions", "ratelimit-headers/groq-2.txt", 18, 73),
        ("anthropic", "/v1/messages", "ratelimit-headers/anthropic-1.txt", 27, 15),
    ] as [(String, String, String, Int, Int)])
    func recordedStreams(preset: String, path: String, file: String, input: Int, output: Int) async throws {
        let clock = ManualClock(1000)
        let fake = try FakeProvider(clock: clock)
        defer { fake.stop() }
        fake.set(path, FakeProvider.Script(headers: [("Content-Type", "text/event-stream")], body: try RecordedResponse(file).body,
                                           delay: 0.1, bodyDelay: 0.2))
        let outcome = try #require(await Self.run(try Self.provider(preset, fake: fake, stream: true), clock: clock))
        #expect(outcome.result == .success, "\(String(describing: outcome.error))")
        #expect(outcome.tokens?.input == input && outcome.tokens?.output == output)
        let ttft = try #require(outcome.timeToFirstToken)
        #expect(abs(ttft - 0.3) < 1e-9, "ttft \(ttft)")
        #expect(abs(outcome.duration - 0.3) < 1e-9, "duration \(outcome.duration)")
    }

    /// synthetic: Gemini's SSE stream built from its documented schema.
    @Test func geminiStream() async throws {
        let clock = ManualClock(1000)
        let fake = try FakeProvider(clock: clock)
        defer { fake.stop() }
        let sse = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"OK\"}],\"role\":\"model\"}}],\"usageMetadata\":{\"promptTokenCount\":8}}\r\n\r\n"
            + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}],\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":1}}\r\n\r\n"
        fake.set("/v1beta/models/m-1:streamGenerateContent", FakeProvider.Script(body: Array(sse.utf8), bodyDelay: 0.05))
        let outcome = try #require(await Self.run(try Self.provider("gemini", fake: fake, stream: true), clock: clock))
        #expect(outcome.result == .success && outcome.tokens?.input == 8 && outcome.tokens?.output == 1)
        #expect(abs((outcome.timeToFirstToken ?? 0) - 0.05) < 1e-9, "ttft \(String(describing: outcome.timeToFirstToken))")
    }

    /// Anthropic's overload after a 200, as an `error` event in the stream
    /// (synthetic, from Anthropic's documented streaming error event): the
    /// event's error.type decides the result, not the missing content.
    @Test func anthropicStreamErrorEventsAreClassifiedByType() async throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        for (type, result) in [("overloaded_error", ProbeResult.overloaded), ("rate_limit_error", .rate_limited), ("invalid_request_error", .invalid_response)] {
            let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"\(type)\",\"message\":\"Overloaded\"}}\n\n"
            fake.set("/v1/messages", FakeProvider.Script(headers: [("Content-Type", "text/event-stream")], body: Array(body.utf8)))
            let outcome = try #require(await Self.run(try Self.provider("anthropic", fake: fake, stream: true)))
            #expect(outcome.result == result, "\(type)")
        }
    }

    @Test(arguments: [
        ("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\ndata: [DONE]\n\n", "stream had no content delta"),
        ("data: {\"choices\":[{\"delta\":{\"content\":\"OK\"}}]}\n\n", "stream did not end cleanly"),
        ("<html>busy</html>", "stream had no content delta"),
    ])
    func brokenStreamsAreInvalidResponse(body: String, problem: String) {
        #expect(ChatReading.stream(Array(body.utf8), .openai).problem == problem)
    }

    @Test func chatMetricsCountTokensAndTimeToFirstToken() throws {
        let fake = try FakeProvider()
        defer { fake.stop() }
        let config = try ConfigLoader.parse("""
        providers:
          - {name: p, preset: openai_compatible, base_url: 'http://127.0.0.1:9/v1', checks: [{name: chat, type: chat, model: m, stream: true}]}
        """, fileName: "t.yml", environment: PresetTests.keyEnvironment)
        let store = StateStore()
        store.apply(config)
        var text = exposition(store)
        #expect(text.contains("provider_probe_tokens_total{check=\"chat\",kind=\"input\",provider=\"p\"} 0\n"))
        var outcome = ProbeOutcome(result: .success, status: 200, duration: 0.5)
        outcome.tokens = (10, 1)
        outcome.timeToFirstToken = 0.3
        store.record(provider: "p", check: "chat", outcome: outcome, finishedAt: 1)
        store.record(provider: "p", check: "chat", outcome: outcome, finishedAt: 2)
        text = exposition(store)
        #expect(text.contains("provider_probe_tokens_total{check=\"chat\",kind=\"input\",provider=\"p\"} 20\n"))
        #expect(text.contains("provider_probe_tokens_total{check=\"chat\",kind=\"output\",provider=\"p\"} 2\n"))
        #expect(text.contains("provider_time_to_first_token_seconds_bucket{check=\"chat\",provider=\"p\",le=\"0.5\"} 2\n"))
        #expect(text.contains("provider_time_to_first_token_seconds_count{check=\"chat\",provider=\"p\"} 2\n"))
    }
}
