// libFuzzer entry point for Tests/fuzz/run.sh. Compiled into the same module as
// the library's sources (so internal parsers are reachable), with
// -sanitize=fuzzer,address. FUZZ_TARGET picks the parser; every input must be
// survived: any crash, hang or sanitizer report is a bug.
import Glibc

enum FuzzTarget: String, CaseIterable {
    case http_request, yaml_config, web_config, ratelimit_headers, statuspage, betterstack, google_cloud, datadog, rss, flashduty, provider_response
}

/// `models` checks of one preset per pagination style, to read fuzzed model lists.
let fuzzModelsChecks: [ModelsCheck] = {
    let env = ConfigEnvironment(variable: { _ in "fuzz-fake-key" }, readFile: { _ in [] })
    let yaml = """
    providers:
      - {name: a, preset: openai, api_key_env: K, checks: [{name: m, type: models, expect_model: x}]}
      - {name: g, preset: gemini, api_key_env: K, checks: [{name: m, type: models, expect_model: x}]}
      - {name: t, preset: together, api_key_env: K, checks: [{name: m, type: models, expect_model: x}]}

    """
    let config = try! ConfigLoader.parse(yaml, fileName: "fuzz.yml", environment: env)
    return config.providers.map { ModelsCheck(config: $0.checks[0], provider: $0) }
}()

let fuzzTarget: FuzzTarget = {
    guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }), let t = FuzzTarget(rawValue: name) else {
        fputs("FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n", stderr)
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case .http_request:
        _ = RequestParser.parse(bytes[...], maxHeadBytes: 4096)
    case .yaml_config:
        // Through the loader too: every path it takes on a tree the fuzzer built.
        let text = String(decoding: bytes, as: UTF8.self)
        let env = ConfigEnvironment(variable: { _ in "fuzz-fake-key" }, readFile: { _ in Array("fuzz-fake-key\n".utf8) })
        _ = try? ConfigLoader.parse(text, fileName: "fuzz.yml", environment: env)
    case .web_config:
        // --web.config.file, TLS settings included; any file it names reads as the fuzzer's bytes too
        // (so certificate and key parsing by OpenSSL gets hostile PEM).
        _ = try? WebConfig.load(file: "web.yml", readFile: { _ in bytes })
    case .ratelimit_headers:
        // Lines of `name: value`, as a response's headers arrive.
        let text = String(decoding: bytes, as: UTF8.self)
        var headers: [(name: String, value: String)] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        _ = RateLimitParser.parse(headers, now: 1_795_000_000)
    case .statuspage:
        // The first half as summary.json, the rest as components.json.
        let half = bytes.count / 2
        _ = try? StatuspageDecoder.decode(summary: Array(bytes[..<half]), components: Array(bytes[half...]))
        _ = try? StatuspageDecoder.decode(summary: bytes)
    case .betterstack:
        _ = try? BetterStackDecoder.decode(bytes, now: 1_795_000_000)
    case .google_cloud:
        _ = try? GoogleCloudDecoder.decode(bytes, products: ["Vertex Gemini API"])
    case .datadog:
        _ = try? DatadogDecoder.decode(bytes)
    case .rss:
        _ = try? RSSDecoder.decode(bytes)
    case .flashduty:
        _ = try? FlashDutyDecoder.decode(bytes)
    case .provider_response:
        // A provider's answer: the first byte picks the status, the rest is the
        // body, read as a model list, classified, and read as each chat dialect,
        // whole and streamed.
        guard let first = bytes.first else { return 0 }
        let body = Array(bytes.dropFirst())
        let statuses = [200, 400, 401, 402, 403, 404, 429, 500, 503, 529, 302, 451, 413, 422]
        var response = ClientResponse()
        response.status = statuses[Int(first) % statuses.count]
        response.body = body
        for check in fuzzModelsChecks {
            _ = Classifier.classify(response, expect: check.config.expectStatus, bodyProblem: check.examine(body).problem)
        }
        // Every dialect's envelope: the API's answer or the edge's, never a crash,
        // and an answer outside every envelope is the edge's in every dialect.
        for dialect in ErrorDialect.allCases {
            let classified = Classifier.classify(response, expect: StatusMatcher(), bodyProblem: nil, dialect: dialect)
            if ProviderError.read(body, dialect: .generic) == nil, let rule = classified?.rule,
               response.status >= 400, rule.contains("the API's answer") {
                fatalError("an answer outside every envelope was read as the API's: \(rule)")
            }
        }
        for dialect in [ChatDialect.openai, .anthropic, .gemini] {
            _ = ChatReading.whole(body, dialect)
            _ = ChatReading.stream(body, dialect)
        }
        // Redaction: a key of word characters, placed anywhere in the text, never survives.
        let text = String(decoding: body, as: UTF8.self)
        let key = "fk" + String(Int(first) * 7919 + 100_003, radix: 16) + "xyzXYZ"
        let cut = text.index(text.startIndex, offsetBy: Int(first) % (text.count + 1))
        let redacted = Redaction([Secret(key)]).apply(String(text[..<cut]) + key + String(text[cut...]))
        if redacted.contains(key) { fatalError("redaction kept the key in \(redacted)") }
    }
    return 0
}
