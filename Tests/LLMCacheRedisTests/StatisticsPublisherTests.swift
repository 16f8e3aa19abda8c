import Foundation
import LLMCache
@testable import LLMCacheRedis
import LLMCacheTesting
import Testing

/// A stack of a memory tier and the Redis exact tier, a publisher for it and
/// a model counting its calls; the workload helpers drive it.
private struct PublishingStack {
    let stack: CacheStack
    let publisher: RedisStatisticsPublisher
    let namespace: RedisNamespace

    init(namespace: RedisNamespace, interval: Duration = .seconds(3600)) {
        self.namespace = namespace
        stack = CacheStack(
            tiers: [MemoryTier(maxEntries: 100), RedisExactTier(namespace: namespace)],
            configuration: .init(priceTable: PriceTable(fallback: .init(promptPerMillion: 1, completionPerMillion: 3))),
            versionSource: namespace)
        publisher = RedisStatisticsPublisher(
            stack: stack, namespace: namespace, configuration: .init(interval: interval, instanceName: "test-\(UUID())"))
    }

    /// Each prompt asked twice: a model call, then a memory hit.
    func ask(_ prompts: [String]) async throws {
        for prompt in prompts {
            for _ in 0..<2 {
                _ = try await stack.response(for: prompt, compute: { prompt in
                    ChatResponse(
                        id: "x", model: "m", created: 0,
                        choices: [.init(message: .assistant("answer to \(prompt)"))],
                        usage: TokenUsage(promptTokens: 10, completionTokens: 20))
                })
            }
        }
        await stack.waitForPendingStores()
    }
}

/// Published counters equal the stack's own statistics, field by field.
private func expectPublished(_ published: PublishedStatistics, match statistics: CacheStatistics) {
    #expect(published.requests == statistics.requests)
    #expect(published.computed == statistics.computed)
    #expect(published.coalesced == statistics.coalesced)
    #expect(published.computeFailures == statistics.computeFailures)
    #expect(published.exactOnly == statistics.cacheability.exactOnly)
    #expect(published.notCached == statistics.cacheability.doNotCache)
    #expect(published.tiers.map(\.name) == statistics.tiers.map(\.name), "tiers in stack order")
    for (tier, expected) in zip(published.tiers, statistics.tiers) {
        #expect(tier.hits == expected.hits, "\(tier.name) hits")
        #expect(tier.misses == expected.misses, "\(tier.name) misses")
        #expect(tier.errors == expected.errors)
        #expect(tier.stores == expected.stores, "\(tier.name) stores")
        #expect(tier.promotions == expected.promotions)
        #expect(tier.tokensSaved == expected.tokensSaved)
        #expect(abs(tier.costSaved - expected.costSaved) < 1e-12)
        #expect(tier.lookupLatency == expected.lookupLatency, "\(tier.name) latency buckets")
    }
}

@Suite("RedisStatisticsPublisher")
struct StatisticsPublisherTests {
    @Test(arguments: TestServers.plain)
    func batchesAddUpToTheStacksStatistics(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let cache = PublishingStack(namespace: namespace)
            try await cache.ask(["a", "b", "c"])
            #expect(try await cache.publisher.publish())
            let first = try await namespace.publishedStatistics()
            expectPublished(first, match: cache.stack.statistics)
            #expect(first.requests == 6 && first.computed == 3 && first.tiers[0].hits == 3)
            #expect(first.tiers[0].tokensSaved == 90, "three memory hits of 30 tokens")
            #expect(first.batches == 1 && first.since != nil)
            #expect(first.instances.map(\.name) == [cache.publisher.configuration.instanceName])

            try await cache.ask(["a", "d"])
            #expect(try await cache.publisher.publish())
            let second = try await namespace.publishedStatistics()
            expectPublished(second, match: cache.stack.statistics)
            #expect(second.requests == 10 && second.batches == 2 && second.since == first.since)
            await cache.publisher.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func cacheabilityDecisionsArePublished(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let cache = PublishingStack(namespace: namespace)
            try await cache.ask(["weather today", "what is my balance", "a"])
            #expect(try await cache.publisher.publish())
            let published = try await namespace.publishedStatistics()
            expectPublished(published, match: cache.stack.statistics)
            #expect(published.exactOnly == 2 && published.notCached == 2)
            await cache.publisher.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func publishesNothingWhenNothingChanged(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let cache = PublishingStack(namespace: namespace)
            #expect(try await cache.publisher.publish() == false, "a fresh stack has nothing to publish")
            let keys = try await client.execute(RedisCommand("EXISTS", namespace.keyspace.statisticsStackKey))
            #expect(keys.int == 0, "and wrote nothing")

            try await cache.ask(["a"])
            #expect(try await cache.publisher.publish())
            let before = try await namespace.publishedStatistics()
            #expect(try await cache.publisher.publish() == false)
            let after = try await namespace.publishedStatistics()
            #expect(after.batches == before.batches && after.instances == before.instances)
            await cache.publisher.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func processesAddUpAndTiersOfTheSameNameShareCounters(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let one = PublishingStack(namespace: namespace)
            let two = PublishingStack(namespace: namespace)
            try await one.ask(["a", "b"])
            try await two.ask(["a", "c", "d"])  // "a" is a Redis hit for the second process
            try await one.publisher.publish()
            try await two.publisher.publish()
            let published = try await namespace.publishedStatistics()
            #expect(published.requests == 10)
            #expect(published.computed == 4)
            #expect(published.tiers[1].name == "redis" && published.tiers[1].hits == 1)
            #expect(published.instances.count == 2)
            await one.publisher.shutdown()
            await two.publisher.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func aFailedPublishKeepsItsCountsAndWritesNothingPartial(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let cache = PublishingStack(namespace: namespace)
            try await cache.ask(["a", "b"])
            // A key of the wrong type makes the script refuse the whole batch.
            try await client.execute(RedisCommand("SET", namespace.keyspace.statisticsStackKey, "not a hash"))
            await #expect(throws: RedisError.self) { try await cache.publisher.publish() }
            let tierKey = namespace.keyspace.statisticsTierKey("memory")
            #expect(try await client.execute(RedisCommand("EXISTS", tierKey)).int == 0, "no partial batch")

            try await client.execute(RedisCommand("DEL", namespace.keyspace.statisticsStackKey))
            try await cache.ask(["c"])
            #expect(try await cache.publisher.publish())
            let published = try await namespace.publishedStatistics()
            expectPublished(published, match: cache.stack.statistics)
            #expect(published.requests == 6, "the failed batch's counts arrived with the next one")
            await cache.publisher.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func aBatchSentTwiceIsCountedOnce(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let cache = PublishingStack(namespace: namespace)
            try await cache.ask(["a"])
            // What a retry after a lost reply sends: the same batch, same sequence number.
            let batch = StatisticsBatch(
                sequence: 1, from: .zero, to: StatisticsCounters(cache.stack.statistics, includeLatency: true))
            let now = SystemCacheClock().now
            let input = batch.scriptInput(keyspace: namespace.keyspace, instance: "retrying", now: now, forgetBefore: .init(millisecondsSince1970: 0))
            #expect(try await client.run(StatisticsScripts.publish, keys: input.keys, arguments: input.arguments).int == 1)
            #expect(try await client.run(StatisticsScripts.publish, keys: input.keys, arguments: input.arguments).int == 0)
            let published = try await namespace.publishedStatistics()
            #expect(published.requests == 2 && published.batches == 1)
        }
    }

    @Test func aRedisOutageLosesNoCounts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-stats-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try OwnRedisServer(persistenceDirectory: directory)
        try await server.start()
        let client = RedisClient(configuration: try server.restartingClientConfiguration())
        let namespace = try await RedisNamespace(name: uniqueNamespace(), client: client)
        let cache = PublishingStack(namespace: namespace)

        try await cache.ask(["a"])
        #expect(try await cache.publisher.publish())
        server.kill()
        try await cache.ask(["b", "c"])  // Redis tier errors count as misses
        await #expect(throws: (any Error).self) { try await cache.publisher.publish() }
        try await server.start()
        let delivered = try await waitUntil(.seconds(30), every: .milliseconds(50)) {
            (try? await cache.publisher.publish()) != nil
        }
        #expect(delivered != nil, "published once Redis was back")
        let published = try await namespace.publishedStatistics()
        expectPublished(published, match: cache.stack.statistics)
        #expect(published.requests == 6)

        await cache.publisher.shutdown()
        await namespace.shutdown()
        await client.shutdown()
        server.kill()
    }

    @Test(arguments: TestServers.plain)
    func theBackgroundTaskPublishesAndShutdownFlushesTheRest(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let cache = PublishingStack(namespace: namespace, interval: .milliseconds(20))
            cache.publisher.start()
            try await cache.ask(["a", "b"])
            let seen = try await waitUntil(.seconds(10), every: .milliseconds(20)) {
                try await namespace.publishedStatistics().requests == 4
            }
            #expect(seen != nil, "the periodic task published")
            try await cache.ask(["c"])
            await cache.publisher.shutdown()
            let published = try await namespace.publishedStatistics()
            expectPublished(published, match: cache.stack.statistics)
            #expect(published.requests == 6, "shutdown published the final delta")
        }
    }

    @Test(arguments: TestServers.plain)
    func countersSurviveFlushAndVersionBumpAndResetClearsThem(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let cache = PublishingStack(namespace: namespace)
            try await cache.ask(["a"])
            try await cache.publisher.publish()
            try await cache.stack.removeAll()
            try await cache.stack.bumpVersion()
            #expect(try await namespace.publishedStatistics().requests == 2)

            #expect(try await namespace.resetPublishedStatistics() > 0)
            let cleared = try await namespace.publishedStatistics()
            #expect(cleared.requests == 0 && cleared.tiers.isEmpty && cleared.instances.isEmpty && cleared.since == nil)
            try await cache.ask(["b"])
            try await cache.publisher.publish()
            #expect(try await namespace.publishedStatistics().requests == 2, "publishers count on from zero")
            await cache.publisher.shutdown()
        }
    }
}
