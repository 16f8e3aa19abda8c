import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("RedisSemanticTier neighbours", .serialized)
struct SemanticNeighboursTests {
    @Test(arguments: RedisSemanticTier.Backend.tested)
    func neighboursSearchEveryScopeClosestFirstWhateverTheThreshold(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend, configure: { $0.vectorSet.quantization = .none }) { tier, _, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 11)
            let password = vectors.unit()
            let france = vectors.unit()
            let plain = CacheQuery(request: "how do I reset my password")
            let chat = CacheQuery(request: ChatRequest(model: "m", messages: [.user("capital of France")]))
            try await tier.store(storedEntry("reset it in settings", tags: ["docs"]), for: plain, vector: password)
            try await tier.store(storedEntry("Paris"), for: chat, vector: france)
            try await tier.store(storedEntry("unrelated"), for: CacheQuery(request: "other"), vector: vectors.unit())

            let query = vectors.near(password, cosine: 0.8)  // below the tier's 0.9 threshold
            let found = try await tier.neighbours(of: query, count: 5)
            #expect(found.count == 3, "every scope is searched")
            #expect(found.map(\.similarity) == found.map(\.similarity).sorted(by: >))
            let first = try #require(found.first)
            #expect(abs(first.similarity - 0.8) < 0.002)
            #expect(first.entry?.sourceText == "how do I reset my password" && first.entry?.tags == ["docs"])
            #expect(first.container == (try await tier.containerID(for: plain)), "the plain prompt's scope")
            #expect(Set(found.map(\.container)).count == 2, "two plain prompts share a scope, the chat has its own")
            #expect(found.allSatisfy { $0.key.hasPrefix("llmcache:\(namespace.keyspace.namespace):") })

            #expect(try await tier.neighbours(of: query, count: 1).count == 1)
            _ = try await namespace.bump()
            #expect(try await tier.neighbours(of: query, count: 5).isEmpty, "only the current version is searched")
            #expect(try await tier.neighbours(of: query, count: 5, version: 0).count == 3)
        }
    }
}
