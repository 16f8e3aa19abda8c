import LLMCache

/// Redis 8 vector sets: one set per container, searched with `VSIM`; the
/// answer lives in its own key with a TTL, and a Lua script returns the
/// nearest live answers in one round trip, dropping dead vectors on the way.
struct VectorSetIndex: SemanticIndex {
    let client: RedisClient
    let keyspace: RedisKeyspace
    let settings: RedisSemanticTier.VectorSetSettings
    /// Graph inserts in flight from this tier (see ``RedisSemanticTier/VectorSetSettings/concurrentInserts``).
    let inserts: AsyncPermits

    init(client: RedisClient, keyspace: RedisKeyspace, settings: RedisSemanticTier.VectorSetSettings) {
        self.client = client
        self.keyspace = keyspace
        self.settings = settings
        self.inserts = AsyncPermits(count: settings.concurrentInserts)
    }

    func nearest(
        to vector: [Float], in container: SemanticContainer, minimumSimilarity: Float, count: Int
    ) async throws -> [SemanticCandidate] {
        let setKey = keyspace.vectorSetKey(container: container.id, version: container.version)
        let answerPrefix = keyspace.semanticAnswerPrefix(container: container.id, version: container.version)
        // VSIM scores are (1 + cosine) / 2, in [0, 1].
        let lowestScore = (1 + minimumSimilarity) / 2
        let reply = try await client.run(
            RedisScripts.searchVectorSet, keys: [Array(setKey.utf8)],
            arguments: [
                VectorBytes.encode(vector), count.redisBytes, settings.searchExplorationFactor.redisBytes,
                Array(String(max(0, lowestScore - 1e-6)).utf8), Array(answerPrefix.utf8),
            ])
        guard let parts = reply.array, parts.count == 2, let flat = parts[0].array, let dead = parts[1].array,
            flat.count % 3 == 0
        else {
            throw RedisError(.protocolError, "unexpected reply from the vector-set search script")
        }
        func record(_ element: String) -> IndexRecord {
            IndexRecord(
                answerKey: answerPrefix + element, containerKey: setKey, element: element, container: .vectorSet,
                keyspace: keyspace)
        }
        if !dead.isEmpty {
            // Vectors whose answer expired or was removed: they go now.
            try await client.drop(dead.compactMap(\.string).map(record), keyspace: keyspace)
        }
        return try stride(from: 0, to: flat.count, by: 3).map { index in
            guard let element = flat[index].string, let score = flat[index + 1].string.flatMap(Float.init),
                let frame = flat[index + 2].bytes
            else { throw RedisError(.protocolError, "unexpected VSIM result") }
            return SemanticCandidate(
                similarity: min(1, max(-1, 2 * score - 1)), frame: frame, answerKey: Array((answerPrefix + element).utf8),
                record: record(element))
        }
    }

    /// Writes answer, expiry record and tags in one script, then adds the
    /// vector with `VADD … CAS`: the server collects the new node's neighbours
    /// on a thread of its own, where inside a script it would hold the main
    /// thread (and every lookup) for milliseconds per insert in a large set.
    func answerKey(for key: CacheKey, in container: SemanticContainer) -> [UInt8] {
        Array(keyspace.semanticAnswerKey(key, in: container).utf8)
    }

    func store(_ entry: IndexedEntry) async throws -> Bool {
        let setKey = keyspace.vectorSetKey(container: entry.container.id, version: entry.container.version)
        guard let record = try await client.storeIndexed(entry, containerKey: setKey, keyspace: keyspace, vectorInBucket: false)
        else { return false }
        do {
            _ = try await inserts.run {
                try await client.execute(
                    RedisCommand(
                        "VADD", setKey, "FP32", VectorBytes.encode(entry.vector), entry.key.hex, "CAS",
                        settings.quantization.rawValue, "M", settings.links, "EF", settings.buildExplorationFactor))
            }
        } catch {
            _ = try? await client.drop([record], keyspace: keyspace)
            throw error
        }
        let dropped = try await client.run(
            RedisScripts.dropUnanswered,
            keys: [Array(record.answerKey.utf8), keyspace.group(containing: record.answerKey).semanticExpiryKey, Array(setKey.utf8)],
            arguments: [record.bytes, Array(record.element.utf8)])
        return dropped.int != 1
    }
}
