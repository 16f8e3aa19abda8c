import LLMCache
import Testing

/// The memo's time budget: a caller that gives up gets the timeout error, and
/// an embedding nobody waits for any more is cancelled, not left running.
@Suite("EmbeddingMemo")
struct EmbeddingMemoTests {
    @Test func aTimeoutCancelsTheEmbeddingItGaveUpOn() async throws {
        let embedder = SlowTestEmbedder()
        let memo = EmbeddingMemo()
        let error = await #expect(throws: CacheError.self) {
            try await memo.embedding(of: "slow", using: embedder, timeout: .milliseconds(20))
        }
        #expect(error?.code == .embeddingFailed)
        await eventually { embedder.cancelledCount == 1 }
        #expect(embedder.startedCount == 1 && embedder.finishedCount == 0)
        // The cancelled computation is forgotten: the next caller starts afresh
        // instead of inheriting a CancellationError.
        let again = await #expect(throws: CacheError.self) {
            try await memo.embedding(of: "slow", using: embedder, timeout: .milliseconds(20))
        }
        #expect(again?.code == .embeddingFailed)
        #expect(embedder.startedCount == 2)
        await eventually { embedder.cancelledCount == 2 }
    }

    @Test func aComputationStillAwaitedByAnotherCallerIsNotCancelled() async throws {
        let embedder = SlowTestEmbedder()
        let memo = EmbeddingMemo()
        let patient = Task { try await memo.embedding(of: "shared", using: embedder) }
        await eventually { embedder.startedCount == 1 }
        await #expect(throws: CacheError.self) {
            try await memo.embedding(of: "shared", using: embedder, timeout: .milliseconds(1))
        }
        embedder.release()
        #expect(try await patient.value == [1, 0, 0, 0])
        #expect(embedder.startedCount == 1 && embedder.cancelledCount == 0)
        // The result is remembered.
        #expect(try await memo.embedding(of: "shared", using: embedder, timeout: .seconds(60)) == [1, 0, 0, 0])
    }

    @Test func aResultWithinTheBudgetIsSharedAndKept() async throws {
        let embedder = SlowTestEmbedder(released: true)
        let memo = EmbeddingMemo()
        #expect(try await memo.embedding(of: "fast", using: embedder, timeout: .seconds(60)) == [1, 0, 0, 0])
        #expect(try await memo.embedding(of: "fast", using: embedder, timeout: .seconds(60)) == [1, 0, 0, 0])
        #expect(embedder.startedCount == 1 && embedder.cancelledCount == 0)
    }
}
