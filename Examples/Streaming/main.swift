// Streaming: a streamed answer cached and replayed.
//
// The first time a question is asked, the answer streams from the model and
// the cache records it chunk by chunk; asked again, the recording is
// replayed from the cache (here at four times the model's own rhythm) with
// its first chunk at once. Two identical requests made at the same time
// share one model call.
//
// Runs offline with a clearly labelled local stand-in streaming model. Set
// OPENAI_API_KEY or OPENAI_BASE_URL (and optionally OPENAI_MODEL) to stream
// from a real OpenAI-compatible endpoint; `--stand-in` keeps the stand-in
// anyway. With LLMCACHE_REDIS_URL (or LLMCACHE_REDIS8_URL) set
// (scripts/example.sh Streaming starts a local Redis), answers are also kept
// in Redis, so a second run of the program replays what the first stored.
// `--fresh` empties the cache first.
import ExampleSupport
import Foundation
import LLMCache
import LLMCacheOpenAI
import LLMCacheRedis

let environment = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments
let modelName = environment["OPENAI_MODEL"] ?? "gpt-4o-mini"
let endpointConfigured = !(environment["OPENAI_API_KEY"] ?? "").isEmpty || !(environment["OPENAI_BASE_URL"] ?? "").isEmpty
let ask: @Sendable (ChatRequest) -> AsyncThrowingStream<ChatStreamChunk, any Error>
if endpointConfigured, !arguments.contains("--stand-in") {
    let client = OpenAIChatClient()
    print("Model: \(modelName) at \(client.configuration.baseURL) (OpenAI-compatible endpoint, streamed)")
    ask = { client.stream($0) }
} else {
    let model = StandInStreamingModel()
    print("Model: LOCAL STAND-IN streaming model (not a language model: 300 ms to the first token, then one every 30 ms; set OPENAI_API_KEY for a real model)")
    ask = { model.stream($0) }
}

let memory = MemoryTier(maxEntries: 10_000, maxBytes: 64 << 20, ttl: .seconds(300))
var redisParts: (client: RedisClient, namespace: RedisNamespace)?
// As the other examples: LLMCACHE_REDIS_URL, else LLMCACHE_REDIS8_URL (scripts/with-redis.sh, scripts/example.sh),
// else a local server scripts/redis.sh started.
if let url = ExampleRedis.url() {
    let client = try RedisClient(url: url)
    let namespace = try await RedisNamespace(name: "streaming-example", client: client)
    namespace.propagateInvalidations(to: memory)
    redisParts = (client, namespace)
    print("Cache: memory, then Redis at \(url) (namespace \"streaming-example\")")
} else {
    print("Cache: memory only (set LLMCACHE_REDIS_URL, or run scripts/example.sh Streaming, to add Redis)")
}
let stack = CacheStack(versionSource: redisParts?.namespace ?? LocalNamespaceVersion()) {
    memory
    if let namespace = redisParts?.namespace { RedisExactTier(namespace: namespace) }
}
if arguments.contains("--fresh") { try await stack.removeAll() }

func request(_ question: String) -> ChatRequest {
    ChatRequest(model: modelName, messages: [.system("You are a concise assistant."), .user(question)], temperature: 0)
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%8.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}

/// What a chunk carries, for printing.
func describe(_ chunk: ChatStreamChunk) -> String {
    if let usage = chunk.usage, chunk.choices.isEmpty {
        return "[usage: \(usage.promptTokens) prompt + \(usage.completionTokens) completion tokens]"
    }
    let delta = chunk.choices.first?.delta
    if let content = delta?.content, !content.isEmpty { return "\"\(content)\"" }
    if let calls = delta?.toolCalls, !calls.isEmpty { return "[tool-call pieces for calls \(calls.map(\.index))]" }
    if let reason = chunk.choices.first?.finishReason { return "[finish: \(reason)]" }
    if let role = delta?.role { return "[role: \(role.rawValue)]" }
    return "[empty chunk]"
}

/// Streams `question` through the cache, printing every chunk with the time
/// it arrived; returns the chunks.
func stream(_ label: String, _ question: String, caching: StreamCaching) async throws -> [ChatStreamChunk] {
    print("\n\(label): \(question)")
    let start = ContinuousClock.now
    let result = await stack.streamResponse(for: request(question), caching: caching, compute: ask)
    var chunks: [ChatStreamChunk] = []
    var firstChunk: Duration?
    for try await chunk in result.value {
        let elapsed = ContinuousClock.now - start
        firstChunk = firstChunk ?? elapsed
        chunks.append(chunk)
        print("  +\(milliseconds(elapsed))  \(describe(chunk))")
    }
    let total = ContinuousClock.now - start
    let source =
        switch result.source {
        case .computed: "the model (streamed live)"
        case .coalesced: "the model (shared with an identical request)"
        case .tier(let name, _, _): "the cache, tier \"\(name)\""
        }
    print("  answered by \(source); first chunk after \(milliseconds(firstChunk ?? total).trimmingCharacters(in: .whitespaces)), \(chunks.count) chunks in \(milliseconds(total).trimmingCharacters(in: .whitespaces))")
    return chunks
}

/// The demonstration: a streamed answer, its replay, and two identical requests at once.
func demonstrate() async throws {
    let question = "Why is the sky blue?"
    let original = try await stream("First ask", question, caching: StreamCaching())
    let replayed = try await stream(
        "Second ask (replayed at 4x the recorded pace)", question, caching: StreamCaching(pacing: .recorded(speed: 4)))
    print("  the replay is \(replayed == original ? "identical to" : "DIFFERENT from") the first answer, chunk for chunk")
    if let text = ChatResponse(folding: replayed).text, !text.isEmpty { print("  as text: \(text)") }

    // Single-flight: two identical requests at once, one model call. The wrapped
    // function has the client's own signature.
    let cachedAsk = stack.wrapStream(ask)
    let callsBefore = stack.statistics.computed
    let tide = request("What causes the tides?")
    async let one = cachedAsk(tide).reduce(into: [ChatStreamChunk]()) { $0.append($1) }
    async let two = cachedAsk(tide).reduce(into: [ChatStreamChunk]()) { $0.append($1) }
    let (answerOne, answerTwo) = try await (one, two)
    let modelCalls = stack.statistics.computed - callsBefore
    print("\nTwo identical requests at once: \(modelCalls) model call\(modelCalls == 1 ? "" : "s"), answers \(answerOne == answerTwo ? "identical" : "DIFFERENT") (\(answerOne.count) chunks each)")
}

let succeeded: Bool
do {
    try await demonstrate()
    succeeded = true
} catch {
    FileHandle.standardError.write(Data("Streaming: the model's stream failed: \(error)\n".utf8))
    succeeded = false
}

print("\n\(stack.statistics)")
if let redisParts {
    await redisParts.namespace.shutdown()
    await redisParts.client.shutdown()
}
exit(succeeded ? 0 : 1)
