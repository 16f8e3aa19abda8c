import LLMCache

/// One way of keeping vectors in Redis and finding near ones: vector sets,
/// RediSearch or LSH buckets. The tier does everything else (embedding,
/// thresholds, decoding, the guard), so a backend is two operations.
protocol SemanticIndex: Sendable {
    /// Up to `count` stored neighbours of `vector` in `container` whose
    /// cosine similarity is at least `minimumSimilarity`, closest first.
    func nearest(
        to vector: [Float], in container: SemanticContainer, minimumSimilarity: Float, count: Int
    ) async throws -> [SemanticCandidate]

    /// Writes an answer with its vector, expiry and tags, unless its fence
    /// refuses it; returns whether it was written.
    func store(_ entry: IndexedEntry) async throws -> Bool

    /// Up to `count` stored neighbours of `vector` in every container of
    /// namespace version `version`, whatever their similarity, closest
    /// first: for operators (`llmcache inspect --text`), not for serving,
    /// since it searches each container in turn.
    func neighbours(of vector: [Float], version: UInt64, count: Int) async throws -> [ContainedCandidate]

    /// The key holding the answer stored under `key` in `container`.
    /// Removing it removes the entry: a backend that keeps the vector apart
    /// drops a vector whose answer is gone when a search next finds it.
    func answerKey(for key: CacheKey, in container: SemanticContainer) -> [UInt8]
}

/// A candidate and the container it was found in.
struct ContainedCandidate: Sendable {
    var container: String
    var candidate: SemanticCandidate
}

/// The vectors that may match each other: one semantic scope, in one
/// namespace version, of one embedding model and index layout.
struct SemanticContainer: Sendable, Hashable {
    /// Hex digest of scope, version, model and layout; part of key names.
    var id: String
    var version: UInt64
}

/// A neighbour found by an index, with what the tier needs to serve,
/// refresh or remove it.
struct SemanticCandidate: Sendable {
    /// Cosine similarity to the query, converted from the backend's own score.
    var similarity: Float
    /// The stored value: a payload frame, behind a `SlidingFrame` header
    /// for a sliding entry.
    var frame: [UInt8]
    /// The key holding the answer.
    var answerKey: [UInt8]
    /// The entry's exact key: the last 64 hex digits of every backend's answer key.
    var key: CacheKey? { answerKey.count >= 64 ? CacheKey(hex: String(decoding: answerKey.suffix(64), as: UTF8.self)) : nil }
    /// The index record for backends whose vectors live apart from the
    /// answer; `nil` when removing the answer's key removes the vector too.
    var record: IndexRecord?
}

/// An answer to write, with everything an index needs.
struct IndexedEntry: Sendable {
    var key: CacheKey
    var container: SemanticContainer
    var vector: [Float]
    /// The value to store (see ``SemanticCandidate/frame``).
    var frame: [UInt8]
    /// Milliseconds to live; 0 for no expiry.
    var ttl: Int64
    /// Expiry time in ms since 1970, `nil` for none.
    var expiresAt: Int64?
    var tags: Set<String>
    /// What refuses the write if the answer went stale while computed.
    var fence: StoreFence
}

extension IndexedEntry {
    /// The expiry index's score: when the sweep may remove the vector.
    var expiryScore: [UInt8] { Array((expiresAt.map(String.init) ?? "+inf").utf8) }
}

extension RedisClient {
    /// Writes an answer, its expiry record and its tag memberships in one
    /// script call, with the vector too when `containerKey` is an LSH bucket
    /// (`vectorInBucket`); the record names answer, container and element so
    /// that any later removal takes them together. Returns the record, or
    /// `nil` if the fence refused the write.
    func storeIndexed(
        _ entry: IndexedEntry, containerKey: String, keyspace: RedisKeyspace, vectorInBucket: Bool
    ) async throws -> IndexRecord? {
        let answerKey = keyspace.semanticAnswerKey(entry.key, in: entry.container)
        let record = IndexRecord(
            answerKey: answerKey, containerKey: containerKey, element: entry.key.hex,
            container: vectorInBucket ? .bucket : .vectorSet, keyspace: keyspace)
        let reply = try await run(
            RedisScripts.storeIndexed,
            keys: [Array(answerKey.utf8), Array(containerKey.utf8), keyspace.group(containing: answerKey).semanticExpiryKey]
                + entry.fence.keys,
            arguments: [
                entry.frame, entry.ttl.redisBytes, vectorInBucket ? VectorBytes.encode(entry.vector) : [],
                Array(entry.key.hex.utf8), record.bytes, entry.expiryScore,
            ] + entry.fence.arguments)
        return reply.int == 1 ? record : nil
    }
}
