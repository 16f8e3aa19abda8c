import LLMCache
import LLMCacheTesting
import Testing

/// Returns the vector listed for each text, so similarities are exact and known.
struct TableEmbedder: Embedder {
    let table: [String: [Float]]
    var dimensions: Int { 3 }
    var identifier: String { "table-3" }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { table[$0] ?? [0, 0, 1] }
    }
}

@Suite("MemorySemanticTier")
struct MemorySemanticTierTests {
    let clock = ManualCacheClock()
    // cos(stored, near) = 0.96, cos(stored, far) = 0.6
    let embedder = TableEmbedder(table: [
        "stored": [1, 0, 0], "near": [0.96, 0.28, 0], "far": [0.6, 0.8, 0], "opposite": [-1, 0, 0],
    ])

    @Test func matchesAParaphraseAboveTheThresholdWithItsSimilarity() async throws {
        let tier = MemorySemanticTier(embedder: embedder, threshold: 0.9, clock: clock)
        try await tier.store(entry("stored", clock: clock), for: query("stored"))
        let hit = try #require(try await tier.lookup(query("near")))
        #expect(abs(try #require(hit.similarity) - 0.96) < 1e-5)
        #expect(hit.entry.sourceText == "stored")
        #expect(try await tier.lookup(query("far")) == nil)
        #expect(try await tier.lookup(query("opposite")) == nil)
    }

    @Test func thresholdIsACosineSimilarityInclusive() async throws {
        // No guard: the threshold alone decides.
        let tier = MemorySemanticTier(embedder: embedder, configuration: .init(threshold: 0.6, matchGuard: nil), clock: clock)
        try await tier.store(entry("stored", clock: clock), for: query("stored"))
        let hit = try await tier.lookup(query("far"))
        #expect(hit != nil, "similarity 0.6 meets threshold 0.6")
        let strict = MemorySemanticTier(
            embedder: embedder, configuration: .init(threshold: 0.61, matchGuard: nil), clock: clock)
        try await strict.store(entry("stored", clock: clock), for: query("stored"))
        #expect(try await strict.lookup(query("far")) == nil)
    }

    @Test func neverMatchesAcrossScopes() async throws {
        let tier = MemorySemanticTier(embedder: embedder, threshold: 0.5, clock: clock)
        try await tier.store(entry("stored", clock: clock), for: query("stored", partition: "tenant-a"))
        #expect(try await tier.lookup(query("stored", partition: "tenant-b")) == nil)
        #expect(try await tier.lookup(query("stored")) == nil)
        #expect(try await tier.lookup(query("near", partition: "tenant-a")) != nil)

        let words = DeterministicTestEmbedder()
        let chatTier = MemorySemanticTier(embedder: words, threshold: 0.9, matchGuard: nil, clock: clock)
        let gpt = CacheQuery(request: chat("capital of France", model: "gpt-a"))
        try await chatTier.store(entry("capital of France", clock: clock), for: gpt)
        #expect(try await chatTier.lookup(CacheQuery(request: chat("France capital", model: "gpt-a"))) != nil)
        #expect(try await chatTier.lookup(CacheQuery(request: chat("France capital", model: "gpt-b"))) == nil)
        #expect(try await chatTier.lookup(CacheQuery(request: chat("France capital", system: "Be rude."))) == nil)
    }

    @Test func honoursTTLTagsVersionsAndRemoveAll() async throws {
        let tier = MemorySemanticTier(embedder: embedder, threshold: 0.9, clock: clock)
        try await tier.store(entry("stored", clock: clock, ttl: .seconds(10), tags: ["t"]), for: query("stored"))
        clock.advance(by: .seconds(10))
        #expect(try await tier.lookup(query("near")) == nil, "expired")
        #expect(tier.count == 0, "expired rows are removed when met")

        try await tier.store(entry("stored", clock: clock, tags: ["t"]), for: query("stored"))
        #expect(tier.invalidate(tags: ["t"]) == 1)
        #expect(try await tier.lookup(query("near")) == nil, "invalidated by tag")

        try await tier.store(entry("stored", clock: clock, version: 3), for: query("stored", version: 3))
        #expect(try await tier.lookup(query("near", version: 4)) == nil, "other version")
        try await tier.store(entry("stored", clock: clock, version: 4), for: query("stored", version: 4))
        tier.namespaceVersionDidChange(to: 4)
        #expect(tier.count == 1)
        tier.removeAll()
        #expect(try await tier.lookup(query("near", version: 4)) == nil)
    }

    @Test func returnsTheNearestOfManyAndEvictsTheLeastRecentlyUsed() async throws {
        let words = DeterministicTestEmbedder(dimensions: 512)
        let tier = MemorySemanticTier(embedder: words, threshold: 0.99, maxEntries: 3, matchGuard: nil, clock: clock)
        for text in ["apples pears", "bananas kiwis", "cherries plums"] {
            try await tier.store(entry(text, clock: clock), for: query(text))
        }
        #expect(try await tier.lookup(query("pears apples"))?.entry.sourceText == "apples pears")
        try await tier.store(entry("grapes melons", clock: clock), for: query("grapes melons"))
        #expect(tier.count == 3)
        #expect(try await tier.lookup(query("kiwis bananas")) == nil, "least recently used was evicted")
        #expect(try await tier.lookup(query("plums cherries")) != nil)
        #expect(try await tier.lookup(query("apples pears")) != nil)
    }

    @Test func rejectsBadEmbeddingsWithAClearError() async throws {
        struct BadEmbedder: Embedder {
            let vector: [Float]
            var dimensions: Int { 3 }
            var identifier: String { "bad-\(vector)" }
            func embed(_ texts: [String]) async throws -> [[Float]] { texts.map { _ in vector } }
        }
        for vector: [Float] in [[1, 0], [1, .nan, 0], [0, 0, 0], [.infinity, 0, 0]] {
            let tier = MemorySemanticTier(embedder: BadEmbedder(vector: vector), threshold: 0.9, clock: clock)
            await #expect { try await tier.lookup(query("x")) } throws: { error in
                (error as? CacheError)?.code == .invalidEmbedding
            }
            await #expect(throws: CacheError.self) { try await tier.store(entry("x", clock: clock), for: query("x")) }
            #expect(tier.count == 0)
        }
    }

    @Test func embedsEachQueryOncePerEmbedder() async throws {
        let words = DeterministicTestEmbedder()
        let first = MemorySemanticTier(name: "one", embedder: words, threshold: 0.9, clock: clock)
        let second = MemorySemanticTier(name: "two", embedder: words, threshold: 0.9, clock: clock)
        let shared = query("some question")
        _ = try await first.lookup(shared)
        _ = try await second.lookup(shared)
        try await first.store(entry("some question", clock: clock), for: shared)
        #expect(words.callCount == 1)
    }
}
