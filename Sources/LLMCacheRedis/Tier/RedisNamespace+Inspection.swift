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
        let fields = try await client.execute(RedisCommand("HMGET", key, "p", "c", "vec")).array ?? []
        guard fields.count == 3 else { return SearchDocument() }
        return SearchDocument(
            storedValue: fields[0].bytes, container: fields[1].string, dimensions: fields[2].bytes.map { $0.count / 4 })
    }

    /// The index record under which the semantic answer `answerKey` (vector
    /// sets or LSH) is listed in tag sets and the expiry index, or `nil` if
    /// none is: a direct check for the vector-set form, else a scan of the
    /// expiry index.
    public func indexRecord(forSemanticAnswer answerKey: String) async throws -> IndexRecord? {
        guard case .semanticAnswer(let version, let container, let hash) = keyspace.kind(of: answerKey) else { return nil }
        let index = keyspace.group(containing: answerKey).semanticExpiryKey
        let vectorSetRecord = IndexRecord(
            answerKey: answerKey, containerKey: keyspace.vectorSetKey(container: container, version: version),
            element: hash, container: .vectorSet)
        if !(try await client.execute(RedisCommand("ZSCORE", index, vectorSetRecord.bytes)).isNull) {
            return vectorSetRecord
        }
        var cursor = "0"
        repeat {
            let reply = try await client.execute(RedisCommand("ZSCAN", index, cursor, "MATCH", "\(answerKey)|*", "COUNT", 1000))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let found = parts[1].array else {
                return nil
            }
            if let record = found.lazy.compactMap(\.bytes).compactMap({ IndexRecord($0, keyspace: self.keyspace) }).first {
                return record
            }
            cursor = next
        } while cursor != "0"
        return nil
    }

    /// Whether the set of `tag` lists `member` (an entry key or an index
    /// record's bytes), i.e. whether invalidating `tag` would remove it.
    public func tagSet(of tag: String, lists member: [UInt8]) async throws -> Bool {
        try await client.execute(RedisCommand("SISMEMBER", keyspace.group(containing: member).tagKey(tag), member)).int == 1
    }
}
