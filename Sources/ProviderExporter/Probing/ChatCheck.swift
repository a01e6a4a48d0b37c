/// The smallest useful completion in the provider's dialect (README, "Configuration"):
/// a fixed short prompt, `max_tokens` (default 1; sent as `max_completion_tokens`
/// by the `openai` preset). Success: an expected status
/// and a body with `choices[0]` (OpenAI), a `content` array (Anthropic) or
/// `candidates[0]` (Gemini); the content itself may be empty. With
/// `stream: true` it reads server-sent events, succeeds when at least one
/// content delta arrives and the stream ends cleanly, and measures the time to
/// the first content delta.
struct ChatCheck: Check {
    let config: CheckConfig
    let spec: ChatSpec
    let provider: ProviderConfig

    static let prompt = "Reply with the single word OK."

    /// Anthropic's stream `error` event types with a result of their own.
    static let streamErrors: [String: ProbeResult] = ["overloaded_error": .overloaded, "rate_limit_error": .rate_limited,
                                                      "api_error": .server_error]

    func run(using client: HTTPClient, timeout: Double, clock: any TimeSource) async -> ProbeOutcome? {
        let (dialect, model) = (spec.dialect, spec.model)
        var request = Checks.baseRequest(url: url(dialect, model), check: config, provider: provider, timeout: timeout, withKey: true)
        request.method = "POST"
        request.headers.append(("Content-Type", "application/json"))
        request.body = Array(body(dialect, model).utf8)
        request.maxRedirects = 0
        request.recordChunkArrivals = spec.stream
        let response = await client.send(request)
        let reading = spec.stream ? ChatReading.stream(response.body, dialect) : ChatReading.whole(response.body, dialect)
        guard var classified = Classifier.classify(response, expect: config.expectStatus, bodyProblem: reading.problem, dialect: ErrorDialect(preset: provider.preset)) else { return nil }
        // Anthropic reports an overload or rate limit that comes after a 200 as
        // an `error` event in the stream: its structured type decides.
        if classified.result == .invalid_response, let type = reading.streamErrorType, let result = Self.streamErrors[type] {
            classified = Classification(result, error: "stream error: \(type)", rule: "stream error event, error.type \"\(type)\" -> \(result.rawValue)")
        }
        var outcome = Checks.outcome(response, classified, now: clock.now())
        outcome.tokens = reading.tokens
        if classified.result == .success, let offset = reading.firstContentEnd {
            outcome.timeToFirstToken = response.arrivalDelay(ofByte: offset)
        }
        return outcome
    }

    func url(_ dialect: ChatDialect, _ model: String) -> String {
        let base = provider.baseURL ?? ""
        switch dialect {
        case .openai: return base + "/chat/completions"
        case .anthropic: return base + "/messages"
        case .gemini:
            let escaped = model.addingPathPercentEncoding()
            return base + "/models/\(escaped)" + (spec.stream ? ":streamGenerateContent?alt=sse" : ":generateContent")
        }
    }

    func body(_ dialect: ChatDialect, _ model: String) -> String {
        let m = JSONString.quote(model), p = JSONString.quote(Self.prompt), n = spec.maxTokens
        switch dialect {
        case .openai:
            let stream = spec.stream ? #","stream":true,"stream_options":{"include_usage":true}"# : ""
            let limit = JSONString.quote(provider.chatMaxTokensField)
            return #"{"model":\#(m),"messages":[{"role":"user","content":\#(p)}],\#(limit):\#(n)\#(stream)}"#
        case .anthropic:
            let stream = spec.stream ? #","stream":true"# : ""
            return #"{"model":\#(m),"max_tokens":\#(n),"messages":[{"role":"user","content":\#(p)}]\#(stream)}"#
        case .gemini:
            return #"{"contents":[{"role":"user","parts":[{"text":\#(p)}]}],"generationConfig":{"maxOutputTokens":\#(n)}}"#
        }
    }
}

/// What a chat answer says: whether it is a completion, tokens used, and for
/// streams where the first content delta ended (a byte offset).
struct ChatReading {
    var problem: String?
    /// The `error.type` of a stream's `error` event (Anthropic).
    var streamErrorType: String?
    var tokens: (input: Int, output: Int)?
    var firstContentEnd: Int?

    static func whole(_ body: [UInt8], _ dialect: ChatDialect) -> ChatReading {
        guard let json = try? JSONValue.parse(body) else { return ChatReading(problem: "body is not JSON") }
        var reading = ChatReading()
        switch dialect {
        case .openai:
            if json["choices"]?.array?.first == nil { reading.problem = "body has no choices[0]" }
        case .anthropic:
            if json["content"]?.array == nil { reading.problem = "body has no content array" }
        case .gemini:
            if json["candidates"]?.array?.first == nil { reading.problem = "body has no candidates[0]" }
        }
        reading.tokens = usage(json, dialect)
        return reading
    }

    static func usage(_ json: JSONValue, _ dialect: ChatDialect) -> (input: Int, output: Int)? {
        let pair: (Double?, Double?)
        switch dialect {
        case .openai:
            // Groq's streams carry it under x_groq.
            let u = json["usage"] ?? json["x_groq"]?["usage"]
            pair = (u?["prompt_tokens"]?.number, u?["completion_tokens"]?.number)
        case .anthropic: pair = (json["usage"]?["input_tokens"]?.number, json["usage"]?["output_tokens"]?.number)
        case .gemini: pair = (json["usageMetadata"]?["promptTokenCount"]?.number, json["usageMetadata"]?["candidatesTokenCount"]?.number)
        }
        guard pair.0 != nil || pair.1 != nil else { return nil }
        return (Int(max(0, pair.0 ?? 0)), Int(max(0, pair.1 ?? 0)))
    }

    /// Server-sent events: `data:` lines, events separated by blank lines.
    static func stream(_ body: [UInt8], _ dialect: ChatDialect) -> ChatReading {
        var reading = ChatReading()
        var ended = false
        var input = 0, output = 0, sawUsage = false
        for (data, end) in events(body) {
            if dialect == .openai && data == "[DONE]" { ended = true; continue }
            guard let json = try? JSONValue.parse(Array(data.utf8)) else { continue }
            var content = false
            switch dialect {
            case .openai:
                if let text = json["choices"]?.array?.first?["delta"]?["content"]?.string, !text.isEmpty { content = true }
                if let u = usage(json, .openai) { (input, output, sawUsage) = (u.input, u.output, true) }
            case .anthropic:
                switch json["type"]?.string {
                case "content_block_delta"?:
                    if let text = json["delta"]?["text"]?.string, !text.isEmpty { content = true }
                case "message_start"?:
                    if let u = json["message"].flatMap({ usage($0, .anthropic) }) { (input, output, sawUsage) = (u.input, u.output, true) }
                case "message_delta"?:
                    if let out = json["usage"]?["output_tokens"]?.number { output = Int(out); sawUsage = true }
                case "message_stop"?:
                    ended = true
                case "error"?:
                    let type = json["error"]?["type"]?.string
                    reading.streamErrorType = type
                    reading.problem = "stream reported an error: \(type ?? "unknown")"
                default: break
                }
            case .gemini:
                let candidate = json["candidates"]?.array?.first
                let parts = candidate?["content"]?["parts"]?.array ?? []
                if parts.contains(where: { ($0["text"]?.string ?? "").isEmpty == false }) { content = true }
                if candidate?["finishReason"]?.string != nil { ended = true }
                if let u = usage(json, .gemini) { (input, output, sawUsage) = (u.input, u.output, true) }
            }
            if content && reading.firstContentEnd == nil { reading.firstContentEnd = end - 1 }
        }
        if sawUsage { reading.tokens = (input, output) }
        if reading.problem == nil {
            if reading.firstContentEnd == nil { reading.problem = "stream had no content delta" }
            else if !ended { reading.problem = "stream did not end cleanly" }
        }
        return reading
    }

    /// Each event's joined `data:` payload and the byte offset where it ended.
    static func events(_ body: [UInt8]) -> [(data: String, end: Int)] {
        var out: [(String, Int)] = []
        var data: [String] = []
        var lineStart = 0
        func flush(_ at: Int) {
            if !data.isEmpty { out.append((data.joined(separator: "\n"), at)) }
            data.removeAll()
        }
        var i = 0
        while i <= body.count {
            if i == body.count || body[i] == 10 {
                var line = body[lineStart..<i]
                if line.last == 13 { line = line.dropLast() }
                if line.isEmpty {
                    flush(i)
                } else if line.starts(with: "data:".utf8) {
                    var payload = line.dropFirst(5)
                    if payload.first == 32 { payload = payload.dropFirst() }
                    data.append(String(decoding: payload, as: UTF8.self))
                }
                lineStart = i + 1
            }
            i += 1
        }
        flush(body.count)
        return out
    }
}

extension String {
    /// Percent-encodes what may not stand in a URL path segment.
    func addingPathPercentEncoding() -> String {
        var out = ""
        for byte in utf8 {
            if (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 122) || "-._~".utf8.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).zeroPadded(2)
            }
        }
        return out
    }
}
