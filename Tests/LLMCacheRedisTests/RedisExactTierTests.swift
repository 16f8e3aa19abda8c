import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// A Redis client and namespace for one test, shut down afterwards.
func withNamespace<T>(
    url: String? = nil, _ body: (RedisClient, RedisNamespace) async throws -> T
) async throws -> T {
    let client = try RedisClient(url: try url ?? TestServers.url())
    let namespace = try await RedisNamespace(name: uniqueNamespace(), client: client, refreshInterval: .seconds(1))
    do {
        let result = try await body(client, namespace)
        await namespace.shutdown()
        await client.shutdown()
        return result
    } catch {
        await namespace.shutdown()
        await client.shutdown()
        throw error
    }
}

func storedEntry(_ text: String, ttl: Duration? = .seconds(60), tags: Set<String> = [], version: UInt64 = 0)
    -> CacheEntry
{
    let now = SystemCacheClock().now
    return CacheEntry(
        value: Array(text.utf8), createdAt: now, expiresAt: ttl.map { now.advanced(by: $0) }, tags: tags,
        usage: TokenUsage(promptTokens: 3, completionTokens: 4), model: "m", sourceText: text,
        namespaceVersion: version)
}

@Suite("RedisExactTier")
struct RedisExactTierTests {
    @Test(arguments: TestServers.plain)
    func storesAndFindsAnEntryWithItsMetadataAndTTL(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let query = CacheQuery(request: "hello")
            #expect(try await tier.lookup(query) == nil)
            let entry = storedEntry(String(repeating: "a long answer ", count: 200), ttl: .seconds(3600))
            try await tier.store(entry, for: query)
            let hit = try #require(try await tier.lookup(query))
            #expect(hit.entry == entry)
            let key = namespace.keyspace.entryKey(query.key, version: 0)
            let name = String(decoding: key, as: UTF8.self)
            #expect(name == "llmcache:\(namespace.keyspace.namespace):v0:e:\(query.key.hex)")
            let ttl = try #require(try await client.execute(RedisCommand("PTTL", key)).int)
            // The remaining TTL, in ms (with room for a slow, sanitised run).
            #expect(ttl > 3_500_000 && ttl <= 3_600_000)
            let raw = try #require(try await client.execute(RedisCommand("GET", key)).bytes)
            #expect(raw.count < entry.value.count / 2, "stored compressed")
        }
    }

    @Test(arguments: TestServers.plain)
    func writesTagSetsAtomicallyAndInvalidatesThem(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let oddTag = "tag with spaces, \u{0}nul and ünïcode ✓"
            try await tier.store(storedEntry("a", ttl: .seconds(10), tags: ["docs", oddTag]), for: CacheQuery(request: "a"))
            try await tier.store(storedEntry("b", ttl: .seconds(100), tags: ["docs"]), for: CacheQuery(request: "b"))
            try await tier.store(storedEntry("c", tags: ["other"]), for: CacheQuery(request: "c"))
            let docs = namespace.keyspace.groups[0].tagKey("docs")
            #expect(try await client.execute(RedisCommand("SCARD", docs)).int == 2)
            let setTTL = try #require(try await client.execute(RedisCommand("PTTL", docs)).int)
            #expect(setTTL > 90_000, "a tag set lives as long as its longest member")
            #expect(try await tier.invalidate(tags: ["docs"]) == 2)
            #expect(try await tier.lookup(CacheQuery(request: "a")) == nil)
            #expect(try await tier.lookup(CacheQuery(request: "b")) == nil)
            #expect(try await tier.lookup(CacheQuery(request: "c")) != nil)
            #expect(try await client.execute(RedisCommand("EXISTS", docs)).int == 0)
            #expect(try await tier.invalidate(tags: [oddTag]) == 0, "already gone with 'docs'")
        }
    }

    @Test(arguments: TestServers.plain)
    func aVersionBumpMakesEveryEntryUnreachable(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let memory = MemoryTier(maxEntries: 100)
            let stack = CacheStack(tiers: [memory, tier], versionSource: namespace)
            let model = { (prompt: String) async throws -> String in "answer to \(prompt)" }
            _ = try await stack.response(for: "q", compute: model)
            #expect(try await stack.response(for: "q", compute: model).isCacheHit)
            let version = try await stack.bumpVersion()
            #expect(version == 1 && namespace.current == 1)
            #expect(try await tier.lookup(CacheQuery(request: "q", namespaceVersion: 1)) == nil)
            #expect(try await stack.response(for: "q", compute: model).source == .computed)
        }
    }

    @Test(arguments: TestServers.plain)
    func aCorruptValueIsAMissAndIsDeleted(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let query = CacheQuery(request: "corrupt")
            try await tier.store(storedEntry("fine"), for: query)
            let key = namespace.keyspace.entryKey(query.key, version: 0)
            var raw = try #require(try await client.execute(RedisCommand("GET", key)).bytes)
            raw[raw.count - 1] ^= 0xFF
            try await client.execute(RedisCommand("SET", key, raw))
            #expect(try await tier.lookup(query) == nil)
            #expect(tier.corruptEntryCount == 1)
            #expect(try await client.execute(RedisCommand("EXISTS", key)).int == 0)
            try await client.execute(RedisCommand("SET", key, Array("not a frame at all".utf8)))
            #expect(try await tier.lookup(query) == nil)
            #expect(tier.corruptEntryCount == 2)
        }
    }

    @Test(arguments: TestServers.plain)
    func anOversizedValueIsNotStored(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let tier = RedisExactTier(
                namespace: namespace, configuration: .init(maximumValueBytes: 1_000, codec: PayloadCodec(configuration: .init(compressionThreshold: 1 << 30))))
            try await tier.store(storedEntry(String(repeating: "x", count: 5_000)), for: CacheQuery(request: "big"))
            #expect(try await tier.lookup(CacheQuery(request: "big")) == nil)
            #expect(tier.oversizedEntryCount == 1)
            try await tier.store(storedEntry("small"), for: CacheQuery(request: "small"))
            #expect(try await tier.lookup(CacheQuery(request: "small")) != nil)
        }
    }

    @Test(arguments: TestServers.plain)
    func slidingEntriesGetTheirTTLBackOnEveryHit(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            var entry = storedEntry("slide", ttl: .seconds(20))
            entry.expiration = .sliding(ttl: .seconds(20))
            let query = CacheQuery(request: "slide")
            try await tier.store(entry, for: query)
            let key = namespace.keyspace.entryKey(query.key, version: 0)
            try await client.execute(RedisCommand("PEXPIRE", key, 5_000))
            _ = try #require(try await tier.lookup(query))
            #expect(try await client.execute(RedisCommand("PTTL", key)).int ?? 0 > 15_000)
        }
    }

    /// A TTL too large for Redis (its deadline would overflow the server's
    /// clock) is stored without an expiry instead of failing the store, and a
    /// sliding hit keeps it so; the Lua scripts never see 10¹⁴ or more, which
    /// would print as `1e+14`.
    @Test(arguments: [Duration.seconds(Int64.max / 2), .seconds(Int64.max)], [Set<String>(), ["huge-ttl"]])
    func aHugeTTLIsClampedAndTheEntryServed(ttl: Duration, tags: Set<String>) async throws {
        try await withNamespace { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let query = CacheQuery(request: "forever")
            var entry = storedEntry("forever", ttl: ttl, tags: tags)
            entry.expiration = .sliding(ttl: ttl)
            try await tier.store(entry, for: query)
            _ = try #require(try await tier.lookup(query), "stored and served")
            let key = namespace.keyspace.entryKey(query.key, version: 0)
            let pttl = try #require(try await client.execute(RedisCommand("PTTL", key)).int)
            #expect(pttl == -1, "no expiry in Redis; the entry's own says when it ends")
        }
    }

    @Test(arguments: TestServers.plain)
    func removeAllDeletesTheNamespaceWithScanButKeepsItsVersion(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            _ = try await namespace.bump()
            for index in 0..<2_500 {
                try await tier.store(storedEntry("v\(index)", tags: index % 2 == 0 ? ["even"] : []), for: CacheQuery(request: "k\(index)"))
            }
            try await tier.removeAll()
            let left = try await client.execute(RedisCommand("KEYS", namespace.keyspace.pattern)).array ?? []
            let prefix = "llmcache:\(namespace.keyspace.namespace):"
            // The version and the invalidation fences survive: a flush must not
            // let an answer computed before it be stored after it.
            #expect(Set(left.compactMap(\.string)) == [prefix + "version", prefix + "fence", prefix + "fence:all"])
        }
    }

    @Test(arguments: TestServers.plain)
    func removeAllReportsProgressAndCountsTheKeysItDeleted(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            _ = try await namespace.bump()
            for index in 0..<2_500 {
                try await tier.store(storedEntry("v\(index)", tags: index % 2 == 0 ? ["even"] : []), for: CacheQuery(request: "k\(index)"))
            }
            var reports: [Int] = []
            let deleted = try await tier.removeAll { reports.append($0) }
            #expect(deleted == 2_501, "2,500 entries and one tag set; the version survives")
            #expect(reports.count >= 2, "SCAN returns about a thousand keys per batch")
            #expect(reports == reports.sorted() && reports.last == deleted)

            try await tier.store(storedEntry("again"), for: CacheQuery(request: "again"))
            #expect(
                try await namespace.removeAllEntries(includingSettings: true) == 4,
                "the entry, the version and the two fence counters")
            #expect(try await client.execute(RedisCommand("KEYS", namespace.keyspace.pattern)).array?.isEmpty == true)
        }
    }

    @Test(arguments: TestServers.plain)
    func aRedisHitIsPromotedToMemory(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { _, namespace in
            let redis = RedisExactTier(namespace: namespace)
            let firstProcess = CacheStack(tiers: [MemoryTier(maxEntries: 10), redis], versionSource: namespace)
            let model = { (prompt: String) async throws -> String in "answer to \(prompt)" }
            _ = try await firstProcess.response(for: "shared question", compute: model)
            await firstProcess.waitForPendingStores()
            let memory = MemoryTier(maxEntries: 10)
            let secondProcess = CacheStack(tiers: [memory, redis], versionSource: namespace)
            #expect(try await secondProcess.response(for: "shared question", compute: model).source
                == .tier(name: "redis", similarity: nil, matchedText: nil))
            #expect(try await secondProcess.response(for: "shared question", compute: model).source
                == .tier(name: "memory", similarity: nil, matchedText: nil))
        }
    }
}
