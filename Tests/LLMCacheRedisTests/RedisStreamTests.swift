import LLMCache
import LLMCacheRedis
import Synchronization
import Testing

@Suite("Streamed answers in Redis")
struct RedisStreamTests {
    @Test func aStreamStoredInRedisIsReplayedByAnotherStack() async throws {
        try await withNamespace { _, namespace in
            // Long and repetitive: the recording crosses the codec's compression threshold.
            let chunks = (0..<300).map { " token \($0 % 7)" }
            let calls = Atomic<Int>(0)
            let model: @Sendable (String) -> AsyncThrowingStream<String, any Error> = { _ in
                calls.add(1, ordering: .relaxed)
                return AsyncThrowingStream { continuation in
                    for chunk in chunks { continuation.yield(chunk) }
                    continuation.finish()
                }
            }
            let writer = CacheStack(tiers: [MemoryTier(), RedisExactTier(namespace: namespace)])
            var first: [String] = []
            for try await chunk in writer.wrapStream(model)("tell me a long story") { first.append(chunk) }
            #expect(first == chunks)
            try await waitUntilStored(writer)

            // A second stack (as another process would have) finds it in Redis.
            let memory = MemoryTier()
            let reader = CacheStack(tiers: [memory, RedisExactTier(namespace: namespace)])
            let replay = await reader.streamResponse(for: "tell me a long story", compute: model)
            #expect(replay.source == .tier(name: "redis", similarity: nil, matchedText: nil))
            var replayed: [String] = []
            for try await chunk in replay.value { replayed.append(chunk) }
            #expect(replayed == chunks)
            #expect(memory.count == 1, "promoted to the faster tier")
            #expect(calls.load(ordering: .relaxed) == 1)
        }
    }

    /// The write happens in the stream's production task, just after the
    /// last chunk was delivered.
    private func waitUntilStored(_ stack: CacheStack) async throws {
        let stored = try await waitUntil(.seconds(10)) { stack.statistics.tiers[1].stores == 1 }
        #expect(stored != nil, "the recording was written to Redis")
    }
}
