import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// Feedback across processes: two stacks with their own clients, memory tiers
/// and observation stores sharing one Redis.
@Suite("Semantic feedback in Redis")
struct FeedbackRedisTests {
    struct Process {
        let client: RedisClient
        let namespace: RedisNamespace
        let memory = MemoryTier(maxEntries: 100)
        let semantic: RedisSemanticTier
        let stack: CacheStack

        init(url: String, name: String, backend: RedisSemanticTier.Backend = .vectorSet) async throws {
            client = try RedisClient(url: url)
            namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .seconds(30))
            namespace.propagateInvalidations(to: memory)
            var configuration = RedisSemanticTier.Configuration(threshold: 0.9, backend: backend)
            configuration.matchGuard = nil
            configuration.lsh.probes = 1 << configuration.lsh.planes
            semantic = try RedisSemanticTier(
                namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 64), configuration: configuration)
            stack = CacheStack(
                tiers: [memory, RedisExactTier(namespace: namespace), semantic],
                configuration: .init(
                    cacheabilityPolicy: nil,
                    semanticFeedback: SemanticFeedback(observations: RedisObservationStore(namespace: namespace))),
                versionSource: namespace)
        }

        func shutdown() async {
            await namespace.shutdown()
            await client.shutdown()
        }
    }

    let model = { (prompt: String) async throws -> String in "answer to \(prompt) at \(UUID())" }

    @Test func aWrongExactAnswerLeavesRedisAndTheOtherProcessesMemory() async throws {
        let url = try TestServers.url()
        let name = uniqueNamespace("feedback")
        let a = try await Process(url: url, name: name)
        let b = try await Process(url: url, name: name)
        let original = try await a.stack.response(for: "capital city France", compute: model)
        await a.stack.waitForPendingStores()
        _ = try await b.stack.response(for: "capital city France", compute: model)
        #expect(b.memory.count == 1)

        try await a.stack.reportWrongAnswer(for: original)
        let elapsed = try await waitUntil(.seconds(5)) { b.memory.count == 0 }
        #expect(elapsed != nil, "B's memory tier kept the answer reported wrong")
        let fresh = try await b.stack.response(for: "capital city France", compute: model)
        #expect(!fresh.isCacheHit && fresh.value != original.value)
        await b.stack.waitForPendingStores()
        #expect(try await b.stack.response(for: "France capital city", compute: model).value == fresh.value)
        await a.shutdown()
        await b.shutdown()
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func aSemanticEntryCanBeRemovedOnEveryBackend(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend, configure: { $0.matchGuard = nil }) { tier, _, _ in
            let query = CacheQuery(request: "capital city France")
            let entry = CacheEntry(value: Array("Paris".utf8), createdAt: SystemCacheClock().now)
            _ = try await tier.store(entry, for: query, unlessInvalidatedSince: nil)
            let hit = try #require(try await tier.lookup(CacheQuery(request: "France capital city")))
            #expect(hit.key == query.key)
            #expect(try await tier.remove(query.entryReference))
            #expect(try await tier.lookup(CacheQuery(request: "France capital city")) == nil)
            #expect(try await !tier.remove(query.entryReference))
        }
    }

    @Test func aWrongSemanticMatchReportedInOneProcessIsRefusedInTheOther() async throws {
        let url = try TestServers.url()
        let name = uniqueNamespace("feedback")
        let a = try await Process(url: url, name: name)
        let b = try await Process(url: url, name: name)
        _ = try await a.stack.response(for: "capital city France", compute: model)
        await a.stack.waitForPendingStores()
        let paraphrase = try await a.stack.response(for: "France capital city", compute: model)
        #expect(paraphrase.match != nil)
        try await a.stack.reportWrongAnswer(for: paraphrase)

        let inB = try await b.stack.response(for: "France capital city", compute: model)
        #expect(!inB.isCacheHit, "the pairing was reported wrong in A")
        #expect(b.stack.statistics.feedback.refusals == 1)
        let pooled = try await RedisObservationStore(namespace: b.namespace).pooledObservations()
        #expect(pooled == [MatchObservation(score: 1, correct: false)])
        await a.shutdown()
        await b.shutdown()
    }
}
