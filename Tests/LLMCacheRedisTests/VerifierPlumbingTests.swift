import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Synchronization
import Testing

/// The verifier sees both texts' token vectors through the Redis semantic
/// tier: the query's from its encoding, the candidate's stored with its entry.
@Suite("Verifier through Redis", .serialized)
struct VerifierPlumbingTests {
    /// Word vectors of `DeterministicTestEmbedder`, one per word, as token vectors.
    final class WordTokenEmbedder: TokenEmbedder {
        let words = DeterministicTestEmbedder(dimensions: 32)
        var identifier: String { "word-tokens-32" }
        var dimensions: Int { 32 }

        func embed(_ texts: [String]) async throws -> [[Float]] {
            try await encode(texts).map(\.vector)
        }

        func encode(_ texts: [String]) async throws -> [TextEncoding] {
            try texts.map { text in
                let tokens = text.split(separator: " ").map { words.vector(for: String($0)) }
                return TextEncoding(
                    vector: words.vector(for: text),
                    tokens: try TokenVectors(vectors: tokens, dimensions: 32, tokenCount: tokens.count, unknownCount: 0))
            }
        }
    }

    /// Records what it was asked and allows everything.
    final class RecordingGuard: SemanticGuard {
        let seen = Mutex<[SemanticComparison]>([])

        func allows(query: String, candidate: String, similarity: Float) async -> Bool { true }

        func allows(_ comparison: SemanticComparison) async -> Bool {
            seen.withLock { $0.append(comparison) }
            return true
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func theVerifierGetsBothTextsTokenVectors(backend: RedisSemanticTier.Backend) async throws {
        let recorder = RecordingGuard()
        try await withSemanticTier(backend, embedder: WordTokenEmbedder(), configure: { $0.matchGuard = recorder }) {
            tier, _, _ in
            let stored = CacheQuery(request: "alpha beta gamma")
            try await tier.store(
                CacheEntry(value: Array("answer".utf8), createdAt: SystemCacheClock().now), for: stored)
            let hit = try #require(try await tier.lookup(CacheQuery(request: "alpha beta gamma")))
            #expect(hit.entry.sourceTokens?.count == 3, "the entry came back from Redis with its token vectors")
            let comparison = try #require(recorder.seen.withLock { $0.last })
            #expect(comparison.queryTokens?.count == 3 && comparison.candidateTokens?.count == 3)
            #expect(comparison.candidate == "alpha beta gamma")
        }
    }
}
