// Invalidation: two processes' worth of caches sharing one Redis namespace.
// Each side (A and B) has its own Redis client, its own RedisNamespace
// listening to the namespace's broadcasts, and its own memory tier in front
// of the shared Redis exact tier, exactly as two application processes would.
// A tag invalidated by A disappears from B's memory tier within milliseconds;
// a version bump by B retires everything A's memory tier holds.
//
//   scripts/example.sh Invalidation
//
// Needs a Redis server (LLMCACHE_REDIS_URL; scripts/example.sh starts one).
// The model is a clearly labelled local stand-in. The namespace is made for
// this run and deleted at its end.
import ExampleSupport
import Foundation
import LLMCache
import LLMCacheRedis

let model = LocalStandInModel(answers: [
    ("pro plan", "The Pro plan costs $20 per month."),
    ("team plan", "The Team plan costs $12 per seat per month."),
    ("export", "Settings → Privacy → Export creates a ZIP file."),
])

/// One application process's view of the cache: its own connection, its own
/// listener on the namespace's channel, its own memory tier.
struct Side {
    let name: String
    let client: RedisClient
    let namespace: RedisNamespace
    let memory: MemoryTier
    let stack: CacheStack

    static func connect(_ name: String, namespace: String) async throws -> Side {
        let client = await ExampleRedis.connect(example: "Invalidation")
        let namespace = try await RedisNamespace(name: namespace, client: client)
        let memory = MemoryTier(maxEntries: 1_000, ttl: .seconds(300))
        namespace.propagateInvalidations(to: memory)  // the broadcasts reach this memory tier
        let stack = CacheStack(versionSource: namespace) {
            memory
            RedisExactTier(namespace: namespace)
        }
        return Side(name: name, client: client, namespace: namespace, memory: memory, stack: stack)
    }

    /// Asks through this side's stack and prints who answered.
    func ask(_ question: String, tags: Set<String> = [], note: String = "") async throws {
        let result = try await stack.response(for: question, options: CacheOptions(tags: tags)) {
            try await model.answer($0)
        }
        // Redis is written after the answer returns; let the other side's next question see it.
        await stack.waitForPendingStores()
        let source =
            switch result.source {
            case .computed, .coalesced: "model"
            case .tier(let name, _, _): name
            }
        print(
            "  \(name)  \(question.padding(toLength: 32, withPad: " ", startingAt: 0)) → \(source), "
                + milliseconds(result.latency) + (note.isEmpty ? "" : "  (\(note))"))
    }

    func shutdown() async {
        await namespace.shutdown()
        await client.shutdown()
    }
}

func milliseconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    return String(format: "%.2f ms", value)
}

/// How long after `start` `condition` first held (checked every 100 µs), or
/// `nil` if it did not within two seconds.
func propagation(since start: ContinuousClock.Instant, until condition: () -> Bool) async throws -> Duration? {
    while ContinuousClock.now - start < .seconds(2) {
        if condition() { return ContinuousClock.now - start }
        try await Task.sleep(for: .microseconds(100))
    }
    return nil
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("Invalidation: \(message)\n".utf8))
    exit(1)
}

print("Invalidation: two processes' worth of caches sharing one Redis namespace.")
print("Model: \(LocalStandInModel.label)")
let name = "invalidation-demo-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
let a = try await Side.connect("A", namespace: name)
let b = try await Side.connect("B", namespace: name)
print("Redis: namespace \"\(name)\"; A and B each have a client, a namespace listener and a memory tier:")
print("  A: memory → redis        B: memory → redis")

print("\n1. A asks three questions (the model answers); B asks them too (Redis answers, B's memory keeps a copy)")
let questions: [(text: String, tag: String)] = [
    ("What does the Pro plan cost?", "pricing"), ("What does the Team plan cost?", "pricing"),
    ("How do I export my data?", "docs"),
]
for question in questions { try await a.ask(question.text, tags: [question.tag], note: "tag \(question.tag)") }
for question in questions { try await b.ask(question.text, tags: [question.tag]) }
print("  memory tiers: A holds \(a.memory.count) entries, B holds \(b.memory.count)")

print("\n2. A invalidates the tag \"pricing\"")
let heldByB = b.memory.count
let invalidationStart = ContinuousClock.now
let removed = try await a.stack.invalidate(tags: ["pricing"])
print(
    "  A: stack.invalidate(tags: [\"pricing\"]) removed \(removed) entries (A's memory and Redis) in "
        + milliseconds(ContinuousClock.now - invalidationStart))
guard let dropped = try await propagation(since: invalidationStart, until: { b.memory.count == heldByB - 2 }) else {
    fail("B's memory tier still holds \(b.memory.count) entries two seconds after the invalidation")
}
print("  B's memory tier dropped the 2 \"pricing\" entries \(milliseconds(dropped)) after A's call began (\(heldByB) → \(b.memory.count))")
try await b.ask("What does the Pro plan cost?", tags: ["pricing"], note: "gone from every tier")
try await b.ask("How do I export my data?", note: "other tags untouched")
try await a.ask("What does the Pro plan cost?", note: "B's new answer, from Redis")

print("\n3. B bumps the namespace version: every stored answer is retired")
let oldVersion = a.namespace.current
let bumpStart = ContinuousClock.now
let newVersion = try await b.stack.bumpVersion()
print("  B: stack.bumpVersion() moved the namespace from version \(oldVersion) to \(newVersion); B's memory tier holds \(b.memory.count)")
guard let seen = try await propagation(since: bumpStart, until: { a.namespace.current == newVersion }) else {
    fail("A's namespace did not see version \(newVersion) within two seconds")
}
print("  A's namespace saw version \(newVersion) \(milliseconds(seen)) after B's call began (a re-read every 5 s backs pub/sub up)")
let heldByA = a.memory.count
print("  A's memory tier still holds \(heldByA) entries of version \(oldVersion); none can be served any more")
try await a.ask("How do I export my data?", note: "A's next request drops the old entries")
print("  A's memory tier dropped everything of version \(oldVersion) (\(heldByA) → \(a.memory.count))")

print("\nmodel calls: \(model.callCount)")
// This run's namespace is thrown away: delete it whole, version counter included.
try await a.namespace.removeAllEntries(includingSettings: true)
await a.shutdown()
await b.shutdown()
