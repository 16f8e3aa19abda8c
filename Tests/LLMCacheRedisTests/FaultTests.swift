import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("Redis faults", .serialized)
struct FaultTests {
    let model: @Sendable (String) async throws -> String = { prompt in "answer to \(prompt)" }

    @Test func aStackAnswersWhileRedisIsDownAndRecoversWhenItComesBack() async throws {
        let server = try OwnRedisServer()
        var configuration = try RedisConfiguration(url: server.url)
        configuration.reconnectDelay = .milliseconds(10)
        configuration.maximumReconnectDelay = .milliseconds(20)
        let client = RedisClient(configuration: configuration)
        let namespace = try await RedisNamespace(name: uniqueNamespace(), client: client)
        let redis = RedisExactTier(namespace: namespace)
        let stack = CacheStack(
            tiers: [redis], configuration: .init(circuitBreaker: .init(failureThreshold: 3, coolDown: .milliseconds(200))),
            versionSource: namespace)

        for index in 0..<20 {
            let result = try await stack.response(for: "down \(index)", compute: model)
            #expect(result.value == "answer to down \(index)")
        }
        let stats = stack.statistics.tiers[0]
        #expect(stats.errors >= 1, "lookups failed as misses")
        #expect(stats.breaker == .open && stats.skipped > 0, "the breaker opened and skips the tier: \(stats)")

        try await server.start()
        var attempt = 0
        let recovered = try await waitUntil(.seconds(5), every: .milliseconds(20)) {
            attempt += 1
            _ = try await stack.response(for: "after \(attempt)", compute: model)
            await stack.waitForPendingStores()
            return try await stack.response(for: "after \(attempt)", compute: model).isCacheHit
        }
        #expect(recovered != nil, "the tier came back by itself")
        #expect(stack.statistics.tiers[0].breaker == .closed)
        await namespace.shutdown()
        await client.shutdown()
        server.kill()
    }

    @Test func killingAndRestartingRedisDuringAConcurrentRunLosesNoCaller() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        let client = RedisClient(configuration: try server.restartingClientConfiguration())
        let namespace = try await RedisNamespace(name: uniqueNamespace(), client: client)
        let stack = CacheStack(
            tiers: [MemoryTier(maxEntries: 200), RedisExactTier(namespace: namespace)],
            configuration: .init(circuitBreaker: .init(failureThreshold: 5, coolDown: .milliseconds(50))),
            versionSource: namespace)
        let slowModel: @Sendable (String) async throws -> String = { prompt in
            try await Task.sleep(for: .milliseconds(2))
            return "answer to \(prompt)"
        }
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    let prompt = "question \(index % 300)"
                    return (index, try await stack.response(for: prompt, compute: slowModel).value)
                }
                if index == 300 { server.kill() }
                if index == 600 { try await server.start() }
                if index % 50 == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            var answers: [Int: String] = [:]
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        #expect(answers.count == 1_000)
        #expect(answers.allSatisfy { $0.value == "answer to question \($0.key % 300)" })
        await namespace.shutdown()
        await client.shutdown()
        server.kill()
    }
}

@Suite("Redis pub/sub after a restart")
struct ResubscribeTests {
    @Test func theNamespaceResubscribesAndDropsWhatItMayHaveMissed() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        var configuration = try RedisConfiguration(url: server.url)
        configuration.reconnectDelay = .milliseconds(20)
        configuration.maximumReconnectDelay = .milliseconds(50)
        let client = RedisClient(configuration: configuration)
        // A long re-read interval, so only pub/sub can deliver the news below.
        let namespace = try await RedisNamespace(name: uniqueNamespace(), client: client, refreshInterval: .seconds(600))
        let memory = MemoryTier(maxEntries: 10)
        namespace.propagateInvalidations(to: memory)
        let clock = SystemCacheClock()
        memory.store(CacheEntry(value: [1], createdAt: clock.now, tags: ["t"]), for: CacheQuery(request: "before"))

        server.kill()
        try await server.start()
        // After resubscribing, the memory tier is emptied: invalidations sent
        // while the channel was down are lost, so what it held is suspect.
        let emptied = try await waitUntil(.seconds(30)) { memory.count == 0 }
        #expect(emptied != nil)

        // And the new subscription delivers invalidations again.
        memory.store(CacheEntry(value: [2], createdAt: clock.now, tags: ["t"]), for: CacheQuery(request: "after"))
        try await withRedisClient(configuration) { other in
            let otherNamespace = try await RedisNamespace(name: namespace.keyspace.namespace, client: other)
            try await RedisExactTier(namespace: otherNamespace).invalidate(tags: ["t"])
            await otherNamespace.shutdown()
        }
        let delivered = try await waitUntil(.seconds(1)) { memory.count == 0 }
        #expect(delivered != nil, "a tag invalidation reached the resubscribed namespace")
        await namespace.shutdown()
        await client.shutdown()
        server.kill()
    }
}
