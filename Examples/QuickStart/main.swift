// QuickStart: memory → Redis exact → Redis semantic tier in front of a model
// (an in-process semantic tier when no Redis is configured), paraphrases
// recognised by the native all-MiniLM-L6-v2 embedder (scripts/model.sh).
//
// Runs offline with a clearly labelled local stand-in model. Set
// OPENAI_API_KEY or OPENAI_BASE_URL (and optionally OPENAI_MODEL) to send the
// misses to a real OpenAI-compatible endpoint (OpenAI, Ollama, vLLM…) instead.
// With LLMCACHE_REDIS8_URL set (scripts/example.sh starts a local Redis), a
// second run of the program is answered from Redis for what the first stored.
// `--fresh` empties the example's namespace first.
import Foundation
import LLMCache
import LLMCacheEmbeddings
import LLMCacheOpenAI
import LLMCacheRedis

let environment = ProcessInfo.processInfo.environment
let modelName = environment["OPENAI_MODEL"] ?? "gpt-4o-mini"
let ask: @Sendable (ChatRequest) async throws -> ChatResponse
if !(environment["OPENAI_API_KEY"] ?? "").isEmpty || !(environment["OPENAI_BASE_URL"] ?? "").isEmpty {
    let client = OpenAIChatClient()
    print("Model: \(modelName) at \(client.configuration.baseURL) (OpenAI-compatible endpoint)")
    ask = { try await client.complete($0) }
} else {
    print("Model: LOCAL STAND-IN (simulated 250 ms latency and token usage; set OPENAI_API_KEY for a real model)")
    let model = StandInModel()
    ask = { try await model.complete($0) }
}
let embedder: CachingEmbedder
do {
    embedder = CachingEmbedder(try await MiniLMEmbedder.load())
} catch {
    FileHandle.standardError.write(Data("QuickStart: \(error.message)\n".utf8))
    exit(1)
}
print("Embedder: all-MiniLM-L6-v2, native (\(MiniLMEmbedder.modelPathVariable) or scripts/model.sh)\n")

let memory = MemoryTier(maxEntries: 10_000, maxBytes: 64 << 20, ttl: .seconds(300))
var redisParts: (client: RedisClient, namespace: RedisNamespace)?
if let url = environment["LLMCACHE_REDIS8_URL"] {
    let client = try RedisClient(url: url)
    let namespace = try await RedisNamespace(name: "quickstart", client: client)
    namespace.propagateInvalidations(to: memory)
    redisParts = (client, namespace)
    print("Redis: \(url) (namespace \"quickstart\")\n")
} else {
    print("Redis: not configured (set LLMCACHE_REDIS8_URL, or run scripts/example.sh)\n")
}
// Paraphrases: from Redis (vector sets, RediSearch or LSH, whatever the server offers), else in memory.
let semantic: any CacheTier =
    if let namespace = redisParts?.namespace {
        try RedisSemanticTier(namespace: namespace, embedder: embedder)
    } else {
        MemorySemanticTier(embedder: embedder)
    }
let stack = CacheStack(
    configuration: .init(priceTable: PriceTable([modelName: .init(promptPerMillion: 0.15, completionPerMillion: 0.60)])),
    versionSource: redisParts?.namespace ?? LocalNamespaceVersion()
) {
    memory
    if let namespace = redisParts?.namespace { RedisExactTier(namespace: namespace) }
    semantic
}
// Fleet-wide counters for `llmcache stats`: one batched write every 10 s, never one per request.
let publisher = redisParts.map { RedisStatisticsPublisher(stack: stack, namespace: $0.namespace) }
publisher?.start()
if CommandLine.arguments.contains("--fresh") { try await stack.removeAll() }
let cachedAsk = stack.wrap(ask)  // same signature as `ask`

func request(_ question: String, system: String = "You are a concise assistant.") -> ChatRequest {
    ChatRequest(model: modelName, messages: [.system(system), .user(question)], temperature: 0)
}

func show(_ label: String, _ result: CacheResult<ChatResponse>) {
    let source: String
    switch result.source {
    case .computed: source = "model"
    case .coalesced: source = "model (shared call)"
    case .tier(let name, let similarity, let matched):
        source = similarity.map { "\(name) (similarity \(String(format: "%.3f", $0)) to \"\(matched ?? "")\")" } ?? name
    }
    let milliseconds = Double(result.latency.components.attoseconds) / 1e15 + Double(result.latency.components.seconds) * 1000
    let label = label.count > 44 ? String(label.prefix(41)) + "..." : label
    print("\(label.padding(toLength: 44, withPad: " ", startingAt: 0))  \(String(format: "%9.3f ms", milliseconds))  \(source)")
}

func run(_ question: String, system: String = "You are a concise assistant.", tags: Set<String> = []) async throws {
    let result = try await stack.response(for: request(question, system: system), options: CacheOptions(tags: tags), compute: ask)
    show(question, result)
}

print("request".padding(toLength: 44, withPad: " ", startingAt: 0) + "    latency     answered by")
try await run("What is the capital of France?", tags: ["geography"])
try await run("What is the capital of France?")                      // exact repeat: memory
try await run("Capital of France?")                                  // paraphrase: semantic
try await run("Capital of France?")                                  // now promoted: memory
try await run("How many legs does a spider have?")
try await run("How many legs does a spider have?", system: "Answer like a pirate.")  // other scope: model
try await run("What is 15% of 80?")
try await run("What is 25% of 80?")                                  // different number: model
_ = try await cachedAsk(request("What is 15% of 80?"))               // the wrapped closure, one line

print("\nInvalidating tag \"geography\"...")
try await stack.invalidate(tags: ["geography"])
try await run("What is the capital of France?", tags: ["geography"])

print("\nFive concurrent identical requests (single-flight):")
try await withThrowingTaskGroup(of: CacheResult<ChatResponse>.self) { group in
    for _ in 0..<5 { group.addTask { try await stack.response(for: request("Why is the sky blue?"), compute: ask) } }
    for try await result in group { show("Why is the sky blue?", result) }
}

print("\n\(stack.statistics)")
await publisher?.shutdown()  // publishes what is left
if let redisParts {
    await redisParts.namespace.shutdown()
    await redisParts.client.shutdown()
}
