import LLMCache
import LLMCacheTesting
import Testing

@Suite("CachingEmbedder")
struct CachingEmbedderTests {
    @Test func embedsEachTextOnceAndAnswersRepeatsFromMemory() async throws {
        let model = DeterministicTestEmbedder(dimensions: 16)
        let cached = CachingEmbedder(model, capacity: 100)
        let first = try await cached.embed(["alpha", "beta", "alpha"])
        #expect(first == [model.vector(for: "alpha"), model.vector(for: "beta"), model.vector(for: "alpha")])
        #expect(model.callCount == 1 && cached.missCount == 3 && cached.hitCount == 0)
        let second = try await cached.embed(["beta", "gamma"])
        #expect(second == [model.vector(for: "beta"), model.vector(for: "gamma")])
        #expect(model.callCount == 2, "only gamma went to the model")
        #expect(cached.hitCount == 1 && cached.missCount == 4)
        #expect(cached.identifier == model.identifier && cached.dimensions == 16)
    }

    @Test func forgetsTheLeastRecentlyUsedTextWhenFull() async throws {
        let model = DeterministicTestEmbedder(dimensions: 8)
        let cached = CachingEmbedder(model, capacity: 2)
        _ = try await cached.embed(["a"])
        _ = try await cached.embed(["b"])
        _ = try await cached.embed(["a"])  // a is now the most recent
        _ = try await cached.embed(["c"])  // evicts b
        let calls = model.callCount
        _ = try await cached.embed(["a", "c"])
        #expect(model.callCount == calls)
        _ = try await cached.embed(["b"])
        #expect(model.callCount == calls + 1)
    }

    @Test func aFailingModelCachesNothing() async throws {
        struct Failing: Embedder {
            var identifier: String { "failing" }
            var dimensions: Int { 4 }
            func embed(_ texts: [String]) async throws -> [[Float]] { throw CacheError(.embeddingFailed, "down") }
        }
        let cached = CachingEmbedder(Failing())
        await #expect(throws: CacheError.self) { try await cached.embed(["x"]) }
        await #expect(throws: CacheError.self) { try await cached.embed(["x"]) }
        #expect(cached.hitCount == 0)
    }
}

@Suite("CachingEmbedder cancellation")
struct CachingEmbedderCancellationTests {
    /// The wrapped call runs in the caller's task, so cancelling the caller
    /// cancels it; nothing half-done is remembered.
    @Test func cancellingTheCallerCancelsTheWrappedEmbedder() async throws {
        let slow = SlowTestEmbedder()
        let cached = CachingEmbedder(slow)
        let call = Task { try await cached.embed(["x"]) }
        await eventually { slow.startedCount == 1 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(slow.cancelledCount == 1)
        #expect(cached.hitCount == 0)
    }
}
