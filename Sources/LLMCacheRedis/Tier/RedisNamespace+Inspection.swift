import LLMCache

/// Reading how entries are laid out in Redis, for operators' tools
/// (`llmcache inspect`): the layouts stay this module's business, so a tool
/// asks here instead of reading hashes and indexes itself.
extension RedisNamespace {
    /// What a RediSearch document of the semantic tier holds.
    public struct SearchDocument: Sendable {
        /// The stored value (a payload frame, behind a sliding header if the
        /// entry slides); decode it with `PayloadCodec.decodeStoredEntry(_:)`.
        public var storedValue: [UInt8]?
        /// The semantic container (scope, version, model, layout digest).
        public var container: String?
        /// The vector's length.
        public var dimensions: Int?
    }

    /// The fields of the RediSearch document `key`.
    public func searchDocument(_ key: [UInt8]) async throws -> SearchDocument {
        let fields = try await client.execute(.hmget(key, ["p", "c", "vec"]))
        guard fields.count == 3 else { return SearchDocument() }
        return SearchDocument(
            storedValue: fields[0], container: fields[1].map { String(decoding: $0, as: UTF8.self) },
            dimensions: fields[2].map { $0.count / 4 })
    }

    /// The index record under which the semantic answer `answerKey` (vector
    /// sets or LSH) is listed in tag sets and the expiry index, or `nil` if
    /// none is: a direct check for the vector-set form, else a scan of the
    /// expiry index for records of its element (an LSH bucket, or the longer
    /// form of records written before 2026-12).
    public func indexRecord(forSemanticAnswer answerKey: String) async throws -> IndexRecord? {
        guard case .semanticAnswer(let version, let container, let hash) = keyspace.kind(of: answerKey) else { return nil }
        let index = keyspace.group(containing: answerKey).semanticExpiryKey
        let vectorSetRecord = IndexRecord(
            answerKey: answerKey, containerKey: keyspace.vectorSetKey(container: container, version: version),
            element: hash, container: .vectorSet, keyspace: keyspace)
        if try await client.execute(.zscore(index, vectorSetRecord.bytes)) != nil {
            return vectorSetRecord
        }
        var cursor = Array("0".utf8)
        repeat {
            let page = try await client.execute(.zscan(index, from: cursor, matching: Array("*|\(hash)".utf8), count: 1000))
            let records = page.keys.lazy.compactMap { IndexRecord($0, keyspace: self.keyspace) }
            if let record = records.first(where: { $0.answerKey == answerKey }) {
                return record
            }
            cursor = page.cursor
        } while cursor != Array("0".utf8)
        return nil
    }

    /// Whether the set of `tag` lists `member` (an entry key or an index
    /// record's bytes), i.e. whether invalidating `tag` would remove it.
    public func tagSet(of tag: String, lists member: [UInt8]) async throws -> Bool {
        try await client.execute(.sismember(keyspace.group(containing: member).tagKey(tag), member))
    }
}
