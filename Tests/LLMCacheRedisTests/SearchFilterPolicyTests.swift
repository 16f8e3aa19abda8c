import LLMCache
@testable import LLMCacheRedis
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

    /// The plain query form, which Valkey-search's smaller `FT.SEARCH`
    /// accepts (no `HYBRID_POLICY`, `SORTBY` or `RETURN`), finds the same
    /// answers nearest first; checked on RediSearch, which accepts both
    /// (no build of valkey-search is available here).
    @Test func thePlainQueryFormFindsTheSameAnswers() async throws {
        try await withSemanticTier(.search, configure: { $0.matchGuard = nil }) { tier, _, _ in
            var vectors = RandomVectors(dimensions: 32, seed: 5)
            let stored = (0..<20).map { _ in vectors.unit() }
            func query(_ index: Int) -> CacheQuery { CacheQuery(request: "question \(index)") }
            for (index, vector) in stored.enumerated() {
                try await tier.store(storedEntry("answer \(index)"), for: query(index), vector: vector)
            }
            let search = try #require(try await tier.resolvedIndex().index as? SearchIndex)
            search.filterPolicy.rejectHints()
            #expect(search.filterPolicy.sendsPlainQueries)
            for (index, vector) in stored.enumerated() {
                let hit = try await tier.lookup(query(100 + index), vector: vectors.near(vector, cosine: 0.97))
                #expect(hit?.entry.value == Array("answer \(index)".utf8))
            }
        }
    }
}
