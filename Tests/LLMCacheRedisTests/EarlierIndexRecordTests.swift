import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// Entries stored before index records lost their answer key (2026-12) are
/// listed in tag sets and the expiry index under the longer form; upgrading
/// must not leave their vectors behind.
@Suite("Index records of earlier releases", .serialized)
struct EarlierIndexRecordTests {
    @Test(arguments: [RedisSemanticTier.Backend.vectorSet, .lsh])
    func entriesListedUnderLongerRecordsAreStillInvalidatedAndSwept(backend: RedisSemanticTier.Backend) async throws {
        let clock = ManualCacheClock(SystemCacheClock().now)
        try await withSemanticTier(backend, clock: clock) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            try await tier.store(storedEntry("tagged", tags: ["docs"]), for: CacheQuery(request: "a"), vector: vectors.unit())
            try await tier.store(storedEntry("expiring"), for: CacheQuery(request: "b"), vector: vectors.unit())
            #expect(try await lengthenRecords(client, namespace) == 3, "two expiry records and one tag membership")

            #expect(try await tier.invalidate(tags: ["docs"]) == 1)
            #expect(try await indexedVectorCount(client, namespace) == 1)
            clock.advance(by: .seconds(120))
            #expect(try await tier.sweep() == 1)
            #expect(try await indexedVectorCount(client, namespace) == 0)
            #expect(try await recordCount(client, namespace) == 0, "no record outlives its entry")
        }
    }

    /// Rewrites every record of the namespace's tag sets and expiry index in
    /// the earlier form, `answerKey|containerKey|element`; returns how many.
    private func lengthenRecords(_ client: RedisClient, _ namespace: RedisNamespace) async throws -> Int {
        let keyspace = namespace.keyspace
        var rewritten = 0
        for key in try await recordHolders(client, namespace) {
            let isIndex = keyspace.kind(of: key) == .semanticExpiryIndex
            let members = try await client.execute(
                isIndex ? RedisCommand("ZRANGE", key, 0, -1, "WITHSCORES") : RedisCommand("SMEMBERS", key))
            let values = members.array?.compactMap(\.bytes) ?? []
            for position in stride(from: 0, to: values.count, by: isIndex ? 2 : 1) {
                guard let record = IndexRecord(values[position], keyspace: keyspace) else { continue }
                let long = "\(record.answerKey)|\(record.containerKey)|\(record.element)"
                if isIndex {
                    try await client.execute(RedisCommand("ZREM", key, values[position]))
                    try await client.execute(RedisCommand("ZADD", key, values[position + 1], long))
                } else {
                    try await client.execute(RedisCommand("SREM", key, values[position]))
                    try await client.execute(RedisCommand("SADD", key, long))
                }
                rewritten += 1
            }
        }
        return rewritten
    }

    /// Records left in the namespace's tag sets and expiry index.
    private func recordCount(_ client: RedisClient, _ namespace: RedisNamespace) async throws -> Int {
        var count = 0
        for key in try await recordHolders(client, namespace) {
            let isIndex = namespace.keyspace.kind(of: key) == .semanticExpiryIndex
            count += Int(try await client.execute(RedisCommand(isIndex ? "ZCARD" : "SCARD", key)).int ?? 0)
        }
        return count
    }

    private func recordHolders(_ client: RedisClient, _ namespace: RedisNamespace) async throws -> [[UInt8]] {
        var holders: [[UInt8]] = []
        try await client.scan(matching: Array("\(namespace.keyspace.prefix)*".utf8)) { keys in
            holders += keys.filter {
                let kind = namespace.keyspace.kind(of: $0)
                return kind == .semanticExpiryIndex || kind == .tagSet
            }
        }
        return holders
    }
}
