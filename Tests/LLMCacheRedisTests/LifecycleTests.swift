import LLMCache
@testable import LLMCacheRedis
import Logging
import ServiceLifecycle
import Testing

/// The Redis pieces are swift-service-lifecycle services, and a client that
/// is dropped without `shutdown()` does not keep its threads.
@Suite("Service lifecycle")
struct LifecycleTests {
    @Test(.timeLimit(.minutes(1)))
    func aServiceGroupShutsClientNamespaceAndPublisherDownInOrder() async throws {
        let client = try RedisClient(url: try TestServers.url())
        let namespace = try await RedisNamespace(name: uniqueNamespace("life"), client: client)
        let stack = CacheStack(tiers: [MemoryTier(maxEntries: 10)], versionSource: namespace)
        let publisher = RedisStatisticsPublisher(
            stack: stack, namespace: namespace, configuration: .init(interval: .seconds(3600)))
        let group = ServiceGroup(
            services: [client, namespace, publisher], gracefulShutdownSignals: [], cancellationSignals: [],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        _ = try await stack.response(for: "question") { _ in "answer" }
        await group.triggerGracefulShutdown()
        try await running.value
        // The publisher went last-in, first-out: its final batch reached Redis
        // before the client closed.
        let reader = try RedisClient(url: try TestServers.url())
        let other = try await RedisNamespace(name: namespace.keyspace.namespace, client: reader)
        #expect(try await other.publishedStatistics().requests == 1)
        await #expect(throws: RedisError.self) { try await client.execute(RedisCommand("PING")) }
        try await other.removeAllEntries(includingSettings: true)
        await other.shutdown()
        await reader.shutdown()
    }

    @Test(.timeLimit(.minutes(1)))
    func aClientDroppedWithoutShutdownStopsItsThreads() async throws {
        weak var connection: RedisConnection?
        do {
            let client = try RedisClient(url: try TestServers.url())
            #expect(try await client.execute(RedisCommand("PING")).string == "PONG")
            connection = client.connections.first
            #expect(connection != nil)
        }
        let gone = try await waitUntil(.seconds(30)) { connection == nil }
        #expect(gone != nil, "the connection's thread still holds it")
    }
}
