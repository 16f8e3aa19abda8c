import LLMCache
@testable import LLMCacheRedis
import Testing

@Suite("RedisKeyspace key kinds")
struct RedisKeyspaceKindTests {
    @Test(arguments: [RedisKeyspace.Layout.singleServer, .cluster])
    func everyKeyTheTiersWriteIsRecognised(layout: RedisKeyspace.Layout) throws {
        let keyspace = try RedisKeyspace(namespace: "app-1", layout: layout)
        let key = CacheKey(request: "hello")
        let container = String(repeating: "c", count: 32)
        let group = keyspace.group(of: key)
        #expect(keyspace.kind(of: keyspace.entryKey(key, version: 3)) == .exactEntry(version: 3, hash: key.hex))
        #expect(
            keyspace.kind(of: keyspace.semanticAnswerPrefix(container: container, version: 2) + key.hex)
                == .semanticAnswer(version: 2, container: container, hash: key.hex))
        #expect(keyspace.kind(of: keyspace.vectorSetKey(container: container, version: 0)) == .vectorSet(version: 0, container: container))
        #expect(
            keyspace.kind(of: keyspace.bucketKey(container: container, version: 1, bucket: 0x3ff))
                == .lshBucket(version: 1, container: container, bucket: "3ff"))
        if layout == .singleServer {
            let index = keyspace.searchIndex(model: "m", dimensions: 384)
            #expect(
                keyspace.kind(of: index.documentPrefix + "v4:" + key.hex)
                    == .searchDocument(index: String(index.documentPrefix.split(separator: ":")[3]), version: 4, hash: key.hex))
        }
        #expect(keyspace.kind(of: keyspace.leaseKey(key, version: 5)) == .flightLease(version: 5, hash: key.hex))
        #expect(keyspace.kind(of: group.tagKey("pricing")) == .tagSet)
        #expect(keyspace.kind(of: group.semanticExpiryKey) == .semanticExpiryIndex)
        #expect(keyspace.kind(of: group.tagFenceKey("pricing")) == .invalidationFence)
        #expect(keyspace.kind(of: group.flushFenceKey) == .invalidationFence)
        #expect(keyspace.kind(of: group.versionKey) == .version)
        #expect(keyspace.kind(of: keyspace.versionKey) == .version)
        #expect(keyspace.kind(of: keyspace.fenceKey) == .invalidationFence)
        #expect(keyspace.kind(of: keyspace.hyperplaneSeedKey) == .setting(name: "lsh-seed"))
        #expect(keyspace.kind(of: keyspace.statisticsTierKey("memory")) == .statistics)
        #expect(keyspace.kind(of: "llmcache:app-1:whatever") == .unknown)
        #expect(keyspace.kind(of: "llmcache:app-1:vx:e:00") == .unknown)
        #expect(keyspace.kind(of: "llmcache:app-2:version") == nil, "another namespace")
        #expect(keyspace.kind(of: keyspace.entryKey(key, version: 3))?.version == 3)
        #expect(keyspace.kind(of: group.tagKey("x"))?.version == nil)
        #expect(keyspace.survivesRemoveAll(group.flushFenceKey) && keyspace.survivesRemoveAll(keyspace.versionKey))
        #expect(!keyspace.survivesRemoveAll(keyspace.entryKey(key, version: 3)) && !keyspace.survivesRemoveAll(group.tagKey("x")))
    }

    @Test func oneServerKeepsTheNamesOfEarlierReleases() throws {
        let keyspace = try RedisKeyspace(namespace: "app-1")
        let key = CacheKey(request: "hello")
        #expect(String(decoding: keyspace.entryKey(key, version: 5), as: UTF8.self) == "llmcache:app-1:v5:e:\(key.hex)")
        #expect(String(decoding: keyspace.leaseKey(key, version: 5), as: UTF8.self) == "llmcache:app-1:v5:lease:\(key.hex)")
        #expect(String(decoding: keyspace.versionKey, as: UTF8.self) == "llmcache:app-1:version")
        #expect(String(decoding: keyspace.group(of: key).versionKey, as: UTF8.self) == "llmcache:app-1:version")
        #expect(keyspace.vectorSetKey(container: "c", version: 1) == "llmcache:app-1:v1:vs:c")
    }

    /// Every script of the tiers touches one entry's keys and its group's, or
    /// only namespace-wide keys: on a cluster each set must be one slot.
    @Test func onAClusterEachEntrysKeysShareTheirGroupsSlot() throws {
        let keyspace = try RedisKeyspace(namespace: "app-1", layout: .cluster)
        #expect(keyspace.groups.count == RedisKeyspace.clusterGroupCount)
        for index in 0..<200 {
            let key = CacheKey(request: "question \(index)")
            let group = keyspace.group(of: key)
            let slot = HashSlot(key: keyspace.entryKey(key, version: 7))
            for other in [keyspace.leaseKey(key, version: 7), group.tagKey("t"), group.tagFenceKey("t"), group.flushFenceKey, group.versionKey] {
                #expect(HashSlot(key: other) == slot)
            }
            #expect(keyspace.group(containing: keyspace.entryKey(key, version: 7)) == group)
            let container = String(key.hex.prefix(32))
            let answer = keyspace.semanticAnswerKey(key, in: SemanticContainer(id: container, version: 7))
            let containerGroup = keyspace.group(containing: answer)
            for other in [
                Array(keyspace.vectorSetKey(container: container, version: 7).utf8),
                Array(keyspace.bucketKey(container: container, version: 7, bucket: 3).utf8), containerGroup.semanticExpiryKey,
                containerGroup.tagKey("t"),
            ] {
                #expect(HashSlot(key: other) == HashSlot(key: Array(answer.utf8)))
            }
        }
        let shared = [keyspace.versionKey, keyspace.fenceKey, keyspace.hyperplaneSeedKey, keyspace.statisticsStackKey, keyspace.pooledObservationsKey]
        #expect(Set(shared.map { HashSlot(key: $0) }).count == 1)
        // Groups sit in equal ranges of slots, so three primaries with a
        // third of the slots each hold a third of the groups (±1).
        let slots = keyspace.groups.map { Int(HashSlot(key: $0.tagKey("t")).rawValue) }
        #expect(Set(slots).count == keyspace.groups.count)
        for third in 0..<3 {
            let range = (third * HashSlot.count / 3)..<((third + 1) * HashSlot.count / 3)
            let held = slots.filter(range.contains).count
            #expect(abs(held - keyspace.groups.count / 3) <= 1, "\(held) groups in \(range)")
        }
    }
}
