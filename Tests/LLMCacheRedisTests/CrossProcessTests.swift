import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// Two stacks with their own clients, namespaces and memory tiers, sharing one
/// Redis: what two processes of one application look like.
@Suite("Cross-process invalidation")
struct CrossProcessTests {
    struct Process {
        let client: RedisClient
        let namespace: RedisNamespace
        let memory: MemoryTier
        let stack: CacheStack

        init(url: String, name: String) async throws {
            client = try RedisClient(url: url)
            namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .seconds(30))
            memory = MemoryTier(maxEntries: 100)
            namespace.propagateInvalidations(to: memory)
            stack = CacheStack(tiers: [memory, RedisExactTier(namespace: namespace)], versionSource: namespace)
        }

        func shutdown() async {
            await namespace.shutdown()
            await client.shutdown()
        }
    }

    let model = { (prompt: String) async throws -> String in "answer to \(prompt) at \(UUID())" }


    @Test(arguments: TestServers.plain)
    /// Pub/sub, not a timer: nothing re-reads tags, and the version is
    /// re-read every 30 s here, so hearing it within the 10 s a loaded
    /// machine may need proves the message arrived (a quiet one takes
    /// about a millisecond).
    func aTagInvalidatedInOneProcessIsGoneFromTheOthersMemory(server: String) async throws {
        let url = try TestServers.url(server)
        let name = uniqueNamespace("xproc")
        let a = try await Process(url: url, name: name)
        let b = try await Process(url: url, name: name)
        let original = try await a.stack.response(for: "pricing?", options: CacheOptions(tags: ["pricing"]), compute: model)
        await a.stack.waitForPendingStores()
        let seenByB = try await b.stack.response(for: "pricing?", compute: model)
        #expect(seenByB.value == original.value && seenByB.source == .tier(name: "redis", similarity: nil, matchedText: nil))
        #expect(try await b.stack.response(for: "pricing?", compute: model).source == .tier(name: "memory", similarity: nil, matchedText: nil))

        try await a.stack.invalidate(tags: ["pricing"])
        let elapsed = try await waitUntil(.seconds(10)) {
            b.memory.lookup(CacheQuery(request: "pricing?")) == nil
        }
        #expect(elapsed != nil, "B's memory tier still held the invalidated entry after 10 s")
        let fresh = try await b.stack.response(for: "pricing?", compute: model)
        #expect(fresh.source == .computed && fresh.value != original.value)
        await a.shutdown()
        await b.shutdown()
    }

    @Test(arguments: TestServers.plain)
    func aVersionBumpReachesTheOtherProcessThroughPubSub(server: String) async throws {
        let url = try TestServers.url(server)
        let name = uniqueNamespace("xver")
        let a = try await Process(url: url, name: name)
        let b = try await Process(url: url, name: name)
        _ = try await b.stack.response(for: "q", compute: model)
        #expect(try await b.stack.response(for: "q", compute: model).isCacheHit)
        try await a.stack.bumpVersion()
        let elapsed = try await waitUntil(.seconds(10)) { b.namespace.current == 1 }
        #expect(elapsed != nil)
        #expect(try await b.stack.response(for: "q", compute: model).source == .computed)
        await a.shutdown()
        await b.shutdown()
    }

    @Test(arguments: TestServers.plain)
    func theVersionIsReadAtStartAndRereadPeriodically(server: String) async throws {
        let url = try TestServers.url(server)
        let name = uniqueNamespace("reread")
        try await withRedisClient(try RedisConfiguration(url: url)) { client in
            try await client.execute(RedisCommand("SET", "llmcache:\(name):version", 7))
            let namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .milliseconds(50))
            #expect(namespace.current == 7)
            // A bump that bypasses pub/sub (a plain INCR) is still noticed by the re-read.
            try await client.execute(RedisCommand("INCR", "llmcache:\(name):version"))
            let elapsed = try await waitUntil(.seconds(15)) { namespace.current == 8 }
            #expect(elapsed != nil)
            await namespace.shutdown()
        }
    }
}
