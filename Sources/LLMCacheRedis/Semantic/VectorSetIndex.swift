import LLMCache

/// Redis 8 vector sets: one set per container, searched with `VSIM`; the
/// answer lives in its own key with a TTL, and a Lua script returns the
/// nearest live answers in one round trip, dropping dead vectors on the way.
struct VectorSetIndex: SemanticIndex {
    let client: RedisClient
    let keyspace: RedisKeyspace
    let settings: RedisSemanticTier.VectorSetSettings

    func nearest(
        to vector: [Float], in container: SemanticContainer, minimumSimilarity: Float, count: Int
    ) async throws -> [SemanticCandidate] {
        let setKey = keyspace.vectorSetKey(container: container.id, version: container.version)
        let answerPrefix = keyspace.semanticAnswerPrefix(container: container.id, version: container.version)
        // VSIM scores are (1 + cosine) / 2, in [0, 1].
        let lowestScore = (1 + minimumSimilarity) / 2
        let reply = try await client.run(
            RedisScripts.searchVectorSet, keys: [Array(setKey.utf8), keyspace.semanticExpiryKey],
            arguments: [
                VectorBytes.encode(vector), count.redisBytes, settings.searchExplorationFactor.redisBytes,
                Array(String(max(0, lowestScore - 1e-6)).utf8), Array(answerPrefix.utf8),
            ])
        guard let flat = reply.array, flat.count % 3 == 0 else {
            throw RedisError(.protocolError, "unexpected reply from the vector-set search script")
        }
        return try stride(from: 0, to: flat.count, by: 3).map { index in
            guard let element = flat[index].string, let score = flat[index + 1].string.flatMap(Float.init),
                let frame = flat[index + 2].bytes
            else { throw RedisError(.protocolError, "unexpected VSIM result") }
            let answerKey = answerPrefix + element
            return SemanticCandidate(
                similarity: min(1, max(-1, 2 * score - 1)), frame: frame, answerKey: Array(answerKey.utf8),
                record: Array("\(answerKey)|\(setKey)|\(element)".utf8))
        }
    }

    func store(_ entry: IndexedEntry) async throws {
        try await client.storeIndexed(
            entry, containerKey: keyspace.vectorSetKey(container: entry.container.id, version: entry.container.version),
            keyspace: keyspace,
            vectorSetOptions: [
                Array(settings.quantization.rawValue.utf8), settings.links.redisBytes,
                settings.buildExplorationFactor.redisBytes,
            ])
    }
}
