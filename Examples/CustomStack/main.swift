// CustomStack: composing caches in code. Two namespaces ("support" and
// "billing") with a stack each; a semantic guard and a cache tier written in
// this example (SamePlanGuard.swift, WriteAheadLogTier.swift) to show both
// protocols are open; per-request options: TTL, tags, bypass and skip-store.
//
//   scripts/example.sh CustomStack
//
// Needs a Redis server (LLMCACHE_REDIS_URL; scripts/example.sh starts one) and
// the MiniLM files (LLMCACHE_MINILM_PATH; scripts/example.sh fetches them).
// The model is a clearly labelled local stand-in. The namespaces are made for
// this run and deleted at its end.
import ExampleSupport
import Foundation
import LLMCache
import LLMCacheEmbeddings
import LLMCacheRedis

let model = LocalStandInModel(answers: [
    ("password", "Settings → Account → Reset password, then follow the e-mail link."),
    ("free plan", "The Free plan costs nothing; it has 3 seats."),
    ("pro plan", "The Pro plan costs $20 per month."),
    ("status page", "Live status is at status.example.com."),
    ("refund", "Annual plans are refunded pro rata within 30 days."),
    ("card", "Please re-enter the card under Billing → Payment methods."),
])
print("CustomStack: two namespaces, a guard and a tier written here, per-request options.")
print("Model: \(LocalStandInModel.label)")

let embedder: CachingEmbedder
do {
    embedder = CachingEmbedder(try await MiniLMEmbedder.load())
} catch {
    FileHandle.standardError.write(Data("CustomStack: \(error.message)\n".utf8))
    exit(1)
}
let redis = await ExampleRedis.connect(example: "CustomStack")
let run = String(UInt32.random(in: 0...UInt32.max), radix: 16)
let support = try await RedisNamespace(name: "support-\(run)", client: redis)
let billing = try await RedisNamespace(name: "billing-\(run)", client: redis)
let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("customstack-\(run).wal")
print("Redis: namespaces \"\(support.keyspace.namespace)\" and \"\(billing.keyspace.namespace)\"; log file \(logFile.path)")

// support: memory → write-ahead log (the custom tier) → Redis exact.
let supportMemory = MemoryTier(maxEntries: 1_000, ttl: .seconds(300))
support.propagateInvalidations(to: supportMemory)
let wal = try WriteAheadLogTier(file: logFile)
support.propagateInvalidations(to: wal)  // any tier can follow other processes' invalidations
let supportStack = CacheStack(versionSource: support) {
    supportMemory
    wal
    RedisExactTier(namespace: support)
}

// billing: memory → Redis exact → Redis semantic, guarded by the custom guard.
var semanticSettings = RedisSemanticTier.Configuration(threshold: 0.78)  // low, so the guard has work to do
semanticSettings.matchGuard = SamePlanGuard()
let billingMemory = MemoryTier(maxEntries: 1_000, ttl: .seconds(300))
billing.propagateInvalidations(to: billingMemory)
let billingSemantic = try RedisSemanticTier(namespace: billing, embedder: embedder, configuration: semanticSettings)
let billingStack = CacheStack(versionSource: billing) {
    billingMemory
    RedisExactTier(namespace: billing)
    billingSemantic
}
print("  support: memory → wal (custom CacheTier) → redis")
print("  billing: memory → redis → redis-semantic (MiniLM, threshold 0.78, guard: SamePlanGuard)")

/// Who answered, as the example prints it.
func describe(_ source: CacheResult<String>.Source) -> String {
    switch source {
    case .computed: return "model"
    case .coalesced: return "model (shared call)"
    case .tier(let name, let similarity, let matched):
        guard let similarity else { return name }
        return "\(name) (similarity \(String(format: "%.3f", similarity)) to \"\(matched ?? "")\")"
    }
}

/// Asks `question` through `stack` and prints one line: namespace, question, who answered, how long it took.
@discardableResult
func ask(
    _ stack: CacheStack, _ question: String, options: CacheOptions = CacheOptions(), note: String = ""
) async throws -> CacheResult<String> {
    let result = try await stack.response(for: question, options: options) { try await model.answer($0) }
    // Redis and the log are written after the answer returns; let this demo's next step see them.
    await stack.waitForPendingStores()
    let namespace = stack === supportStack ? "support" : "billing"
    let milliseconds = Double(result.latency.components.attoseconds) / 1e15 + Double(result.latency.components.seconds) * 1e3
    print(
        "  [\(namespace)] \(question.padding(toLength: 50, withPad: " ", startingAt: 0)) → \(describe(result.source)), "
            + String(format: "%.2f ms", milliseconds) + (note.isEmpty ? "" : "  (\(note))"))
    return result
}

print("\n1. Namespaces keep answers apart")
try await ask(supportStack, "How do I reset my password?")
try await ask(supportStack, "How do I reset my password?")
try await ask(billingStack, "How do I reset my password?", note: "billing has answers of its own")

print("\n2. A guard written here vetoes what the vectors allow")
try await ask(billingStack, "How much does the Pro plan cost per month?")
try await ask(billingStack, "What is the monthly price of the Pro plan?", note: "a paraphrase")
try await ask(billingStack, "How much does the Free plan cost per month?", note: "another plan: the Pro price would be wrong")

print("\n3. Per-request options")
try await ask(supportStack, "Is there a status page?", options: CacheOptions(ttl: .seconds(1)), note: "ttl 1 s")
try await Task.sleep(for: .milliseconds(1_200))
try await ask(supportStack, "Is there a status page?", note: "1.2 s later: expired in every tier")
try await ask(billingStack, "Can I get a refund?", options: CacheOptions(tags: ["refunds"]), note: "tagged \"refunds\"")
let removed = try await billingStack.invalidate(tags: ["refunds"])
print("  billingStack.invalidate(tags: [\"refunds\"]) removed \(removed) entries")
try await ask(billingStack, "Can I get a refund?", note: "after the invalidation")
let cachedSupport = supportStack.wrap { (question: String) in try await model.answer(question) }
let fresh = try await withCacheOptions(CacheOptions(bypassLookup: true)) {
    try await cachedSupport("How do I reset my password?")
}
print("  bypassLookup through the wrapped closure (task-local options) asked the model again: \"\(fresh)\"")
let refreshed = try await ask(supportStack, "How do I reset my password?", note: "the refreshed answer was stored")
print("    answer: \"\(refreshed.value)\"")
let personal = CacheOptions(skipStore: true)
try await ask(billingStack, "My card ending 4242 was declined, what now?", options: personal, note: "skipStore")
try await ask(billingStack, "My card ending 4242 was declined, what now?", options: personal, note: "skipStore: never stored")

print("\n4. A tier written here: the write-ahead log")
print("  \(wal.recordCount) records in \(logFile.lastPathComponent); \(wal.count) entries in the tier's index")
let replayed = try WriteAheadLogTier(file: logFile)  // what a restarted process would open
print("  a new WriteAheadLogTier on the same file replayed \(replayed.recordCount) records into \(replayed.count) entries")
let restartedStack = CacheStack(tiers: [replayed], versionSource: support)
let again = try await restartedStack.response(for: "How do I reset my password?") { try await model.answer($0) }
print("  a stack of only the replayed log: \"How do I reset my password?\" → \(describe(again.source)): \"\(again.value)\"")

print("\nmodel calls: \(model.callCount)")
print("\nsupport stack:\n\(supportStack.statistics)")
print("\nbilling stack:\n\(billingStack.statistics)")

// This run's namespaces and log are thrown away: delete them whole.
try await support.removeAllEntries(includingSettings: true)
try await billing.removeAllEntries(includingSettings: true)
try? FileManager.default.removeItem(at: logFile)
await support.shutdown()
await billing.shutdown()
await redis.shutdown()
