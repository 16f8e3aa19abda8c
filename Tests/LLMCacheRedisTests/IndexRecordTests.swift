import LLMCache
@testable import LLMCacheRedis
import Testing

@Suite("Index records")
struct IndexRecordTests {
    @Test(arguments: [RedisKeyspace.Layout.singleServer, .cluster])
    func aRecordNamesItsContainerAndElementAndImpliesTheRest(layout: RedisKeyspace.Layout) throws {
        let keyspace = try RedisKeyspace(namespace: "app-1", layout: layout)
        let key = CacheKey(request: "hello")
        let container = String(repeating: "c", count: 32)
        let answerKey = keyspace.semanticAnswerPrefix(container: container, version: 2) + key.hex
        for (containerKey, kind) in [
            (keyspace.vectorSetKey(container: container, version: 2), IndexRecord.Container.vectorSet),
            (keyspace.bucketKey(container: container, version: 2, bucket: 7), .bucket),
        ] {
            let written = IndexRecord(answerKey: answerKey, containerKey: containerKey, element: key.hex, container: kind, keyspace: keyspace)
            #expect(written.bytes == Array("\(containerKey.dropFirst(keyspace.prefix.count))|\(key.hex)".utf8))
            let read = try #require(IndexRecord(written.bytes, keyspace: keyspace))
            #expect(read == written)
        }
    }

    /// Tag sets and expiry indexes written before 2026-12 hold the longer
    /// form; reading one must give the same entry, and keep the member's
    /// bytes so that removing the record removes that very member.
    @Test func recordsOfTheEarlierLongerFormStillParse() throws {
        let keyspace = try RedisKeyspace(namespace: "app-1")
        let key = CacheKey(request: "hello")
        let answerKey = keyspace.semanticAnswerPrefix(container: "c", version: 1) + key.hex
        let setKey = keyspace.vectorSetKey(container: "c", version: 1)
        let stored = Array("\(answerKey)|\(setKey)|\(key.hex)".utf8)
        let read = try #require(IndexRecord(stored, keyspace: keyspace))
        #expect(read.answerKey == answerKey && read.containerKey == setKey && read.element == key.hex)
        #expect(read.container == .vectorSet)
        #expect(read.bytes == stored)
    }

    @Test func plainKeysAreNotRecords() throws {
        let keyspace = try RedisKeyspace(namespace: "app-1")
        #expect(IndexRecord(keyspace.entryKey(CacheKey(request: "x"), version: 1), keyspace: keyspace) == nil)
        #expect(IndexRecord(Array("llmcache:app-1:whatever|x".utf8), keyspace: keyspace) == nil)
        #expect(IndexRecord(Array("a|b|c|d".utf8), keyspace: keyspace) == nil)
    }
}
