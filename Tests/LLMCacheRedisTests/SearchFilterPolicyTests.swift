import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// The RediSearch backend hints `HYBRID_POLICY BATCHES` for containers that
/// hold much of the index and leaves small ones to RediSearch's planner;
/// either way a search only ever finds its own container's entries.
@Suite("RediSearch filter policy")
struct SearchFilterPolicyTests {
    @Test func largeAndSmallContainersOfOneIndexFindOnlyTheirOwnEntries() async throws {
        try await withSemanticTier(.search, configure: { $0.matchGuard = nil }) { tier, _, _ in
            var vectors = RandomVectors(dimensions: 32, seed: 11)
            let large = (0..<60).map { _ in vectors.unit() }
            let small = (0..<3).map { _ in vectors.unit() }
            func query(_ scope: String, _ index: Int) -> CacheQuery {
                CacheQuery(request: ChatRequest(model: "m", messages: [.system(scope), .user("question \(index)")]))
            }
            for (index, vector) in large.enumerated() {
                try await tier.store(storedEntry("large \(index)"), for: query("large", index), vector: vector)
            }
            for (index, vector) in small.enumerated() {
                try await tier.store(storedEntry("small \(index)"), for: query("small", index), vector: vector)
            }
            // Several rounds: the first counts each container's share, later ones use it.
            for _ in 0..<3 {
                for (index, vector) in small.enumerated() {
                    let near = vectors.near(vector, cosine: 0.97)
                    let hit = try await tier.lookup(query("small", 100 + index), vector: near)
                    #expect(hit?.entry.value == Array("small \(index)".utf8))
                    #expect(try await tier.lookup(query("large", 100 + index), vector: near) == nil, "never across scopes")
                }
                for index in 0..<5 {
                    let hit = try await tier.lookup(query("large", 200 + index), vector: vectors.near(large[index], cosine: 0.97))
                    #expect(hit?.entry.value == Array("large \(index)".utf8))
                    #expect(try await tier.lookup(query("small", 200 + index), vector: large[index]) == nil, "never across scopes")
                }
            }
        }
    }
}
