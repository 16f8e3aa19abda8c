import LLMCache
@testable import LLMCacheRedis
import Testing

@Suite("RedisKeyspace key kinds")
struct RedisKeyspaceKindTests {
    @Test func everyKeyTheTiersWriteIsRecognised() throws {
        let keyspace = try RedisKeyspace(namespace: "app-1")
        let key = CacheKey(request: "hello")
        let container = String(repeating: "c", count: 32)
        #expect(keyspace.kind(of: keyspace.entryKey(key, version: 3)) == .exactEntry(version: 3, hash: key.hex))
        #expect(
            keyspace.kind(of: keyspace.semanticAnswerPrefix(container: container, version: 2) + key.hex)
                == .semanticAnswer(version: 2, container: container, hash: key.hex))
        #expect(keyspace.kind(of: keyspace.vectorSetKey(container: container, version: 0)) == .vectorSet(version: 0, container: container))
        #expect(
            keyspace.kind(of: keyspace.bucketKey(container: container, version: 1, bucket: 0x3ff))
                == .lshBucket(version: 1, container: container, bucket: "3ff"))
        let index = keyspace.searchIndex(model: "m", dimensions: 384)
        #expect(
            keyspace.kind(of: index.documentPrefix + "v4:" + key.hex)
                == .searchDocument(index: String(index.documentPrefix.split(separator: ":")[3]), version: 4, hash: key.hex))
        #expect(keyspace.kind(of: keyspace.leaseKey(key, version: 5)) == .flightLease(version: 5, hash: key.hex))
        #expect(
            String(decoding: keyspace.leaseKey(key, version: 5), as: UTF8.self) == "llmcache:app-1:v5:lease:\(key.hex)",
            "named like its entry but for the kind, so that both will share a cluster slot")
        #expect(keyspace.kind(of: keyspace.tagKey("pricing")) == .tagSet)
        #expect(keyspace.kind(of: keyspace.semanticExpiryKey) == .semanticExpiryIndex)
        #expect(keyspace.kind(of: keyspace.versionKey) == .version)
        #expect(keyspace.kind(of: keyspace.hyperplaneSeedKey) == .setting(name: "lsh-seed"))
        #expect(keyspace.kind(of: keyspace.statisticsTierKey("memory")) == .statistics)
        #expect(keyspace.kind(of: "llmcache:app-1:whatever") == .unknown)
        #expect(keyspace.kind(of: "llmcache:app-1:vx:e:00") == .unknown)
        #expect(keyspace.kind(of: "llmcache:app-2:version") == nil, "another namespace")
        #expect(keyspace.kind(of: keyspace.entryKey(key, version: 3))?.version == 3)
        #expect(keyspace.kind(of: keyspace.tagKey("x"))?.version == nil)
    }
}
