import LLMCache
import LLMCacheRedis
import Testing

/// A Redis that stops answering costs callers misses, never a backlog: with
/// the server paused, every caller is answered by the model, each lookup
/// waits at most one command timeout, the breaker opens, the write-behind
/// backlog and the connections' queues stay within their bounds.
@Suite("A stalled Redis")
struct StalledServerTests {
    @Test(.timeLimit(.minutes(2)))
    func tenThousandCallersAreAnsweredWhileTheServerIsPaused() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .milliseconds(300)
        configuration.maximumPendingCommands = 1_000
        let client = RedisClient(configuration: configuration)
        let namespace = try await RedisNamespace(name: uniqueNamespace("stall"), client: client)
        let memory = MemoryTier(maxEntries: 20_000)
        let stack = CacheStack(
            tiers: [memory, RedisExactTier(namespace: namespace)],
            configuration: .init(maxPendingStores: 256), versionSource: namespace)
        let calls = CallCounter()

        // Frozen rather than `CLIENT PAUSE`d: a pause of fixed length can end
        // before a loaded machine has started the callers.
        server.suspend()
        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<10_000 {
                group.addTask {
                    let result = try await stack.response(for: "stalled question \(index)") { prompt in
                        calls.increment()
                        return "answer to \(prompt)"
                    }
                    return result.value == "answer to stalled question \(index)" && result.source == .computed
                }
            }
            var correct = 0
            for try await isCorrect in group where isCorrect { correct += 1 }
            return correct
        }
        #expect(answers == 10_000, "every caller got the model's answer")
        #expect(calls.value == 10_000)
        #expect(memory.count == 10_000, "in-process tiers were written at once")
        let redis = stack.statistics.tiers[1]
        #expect(redis.hits == 0 && redis.errors + redis.skipped + redis.misses == 10_000)
        #expect(redis.errors >= 5, "lookups failed (timeouts, full queues) until the breaker opened")
        server.resume()

        // Once the server answers again (and the breaker lets a probe
        // through), the tier serves and stores as before.
        let recovered = try await waitUntil(.seconds(30), every: .milliseconds(100)) {
            _ = try await stack.response(for: "after the stall") { _ in "fresh" }
            await stack.waitForPendingStores()
            memory.removeAll()
            return try await stack.response(for: "after the stall") { _ in "again" }.source
                == .tier(name: "redis", similarity: nil, matchedText: nil)
        }
        #expect(recovered != nil)
        await namespace.shutdown()
        await client.shutdown()
        server.kill()
    }
}
