import LLMCache

/// RediSearch (or Valkey-search): each entry is a hash holding the vector,
/// the answer and its container and tags, expiring as a whole; an HNSW index
/// over the hashes answers `KNN` queries filtered by container.
///
/// The index name carries the embedding model and dimension, so a new model
/// starts a new index while the old one's documents age out. How the
/// container filter combines with the graph search is left to RediSearch
/// except for containers holding much of the index (see ``SearchFilterPolicy``).
struct SearchIndex: SemanticIndex {
    let client: RedisClient
    let keyspace: RedisKeyspace
    let settings: RedisSemanticTier.SearchSettings
    let name: String
    let documentPrefix: String
    let dimensions: Int
    let filterPolicy = SearchFilterPolicy()

    init(
        client: RedisClient, keyspace: RedisKeyspace, settings: RedisSemanticTier.SearchSettings, model: String,
        dimensions: Int
    ) {
        self.client = client
        self.keyspace = keyspace
        self.settings = settings
        (name, documentPrefix) = keyspace.searchIndex(model: model, dimensions: dimensions)
        self.dimensions = dimensions
    }

    /// Creates the index unless it exists (then it is left as it is).
    func prepare() async throws {
        let reply = try await client.send(
            RedisCommand(
                "FT.CREATE", name, "ON", "HASH", "PREFIX", 1, documentPrefix, "SCHEMA",
                "c", "TAG", "t", "TAG", "SEPARATOR", ",",
                "vec", "VECTOR", "HNSW", 10, "TYPE", "FLOAT32", "DIM", dimensions, "DISTANCE_METRIC", "COSINE",
                "M", settings.links, "EF_CONSTRUCTION", settings.buildExplorationFactor))
        if case .error(let message) = reply, !message.lowercased().contains("already exists") {
            throw RedisError(.serverError, "FT.CREATE \(name) failed: \(message)")
        }
    }

    func nearest(
        to vector: [Float], in container: SemanticContainer, minimumSimilarity: Float, count: Int
    ) async throws -> [SemanticCandidate] {
        let advice = filterPolicy.advice(for: container.id)
        guard advice.refresh else {
            return try await search(vector, in: container, count: count, batches: advice.batches, above: minimumSimilarity)
        }
        // Count the container's share alongside this search, not before it.
        async let share = containerShare(container)
        do {
            let candidates = try await search(
                vector, in: container, count: count, batches: advice.batches, above: minimumSimilarity)
            filterPolicy.record(share: await share, for: container.id)
            return candidates
        } catch {
            filterPolicy.record(share: await share, for: container.id)
            throw error
        }
    }

    private func search(
        _ vector: [Float], in container: SemanticContainer, count: Int, batches: Bool, above minimumSimilarity: Float
    ) async throws -> [SemanticCandidate] {
        /// The full form, or the plain one that Valkey-search's documented
        /// subset accepts (no `HYBRID_POLICY`, no `SORTBY`, no `RETURN`: a
        /// KNN query returns its results nearest first, with every field).
        func command(batches: Bool, plain: Bool) -> RedisCommand {
            let policy = batches && !plain ? " HYBRID_POLICY BATCHES" : ""
            var arguments: [any RedisArgument] = [
                name,
                "@c:{\(container.id)}=>[KNN \(count) @vec $vector EF_RUNTIME \(settings.searchExplorationFactor)\(policy) AS distance]",
                "PARAMS", 2, "vector", VectorBytes.encode(vector),
            ]
            if !plain { arguments += ["SORTBY", "distance", "RETURN", 2, "distance", "p"] }
            return RedisCommand("FT.SEARCH", arguments + ["LIMIT", 0, count, "DIALECT", 2])
        }
        let plain = filterPolicy.sendsPlainQueries
        var reply = try await client.send(command(batches: batches, plain: plain))
        if !plain, case .error = reply {
            // A server with a smaller FT.SEARCH (Valkey-search) refuses the full form: stop sending it.
            reply = try await client.send(command(batches: false, plain: true))
            if case .error = reply {} else { filterPolicy.rejectHints() }
        }
        if case .error(let message) = reply, message.lowercased().contains("no such index")
            || message.lowercased().contains("unknown index")
        {
            // The index went away (FLUSHALL, a restart without persistence): recreate it.
            try await prepare()
            reply = try await client.send(command(batches: false, plain: filterPolicy.sendsPlainQueries))
        }
        guard let results = try RedisClient.throwingErrors(reply).array, !results.isEmpty else {
            throw RedisError(.protocolError, "unexpected FT.SEARCH reply")
        }
        var candidates: [SemanticCandidate] = []
        for index in stride(from: 1, to: results.count - 1, by: 2) {
            guard let key = results[index].bytes, let fields = results[index + 1].array else { continue }
            var distance: Float?
            var frame: [UInt8]?
            for field in stride(from: 0, to: fields.count - 1, by: 2) {
                switch fields[field].string {
                // `__vec_score`: the name a server that ignores the alias gives the distance.
                case "distance", "__vec_score": distance = fields[field + 1].string.flatMap(Float.init)
                case "p": frame = fields[field + 1].bytes
                default: break
                }
            }
            // COSINE distance is 1 - cosine similarity.
            guard let distance, let frame else { continue }
            let similarity = min(1, max(-1, 1 - distance))
            guard similarity >= minimumSimilarity else { continue }
            candidates.append(SemanticCandidate(similarity: similarity, frame: frame, answerKey: key, record: nil))
        }
        return candidates.sorted { $0.similarity > $1.similarity }
    }

    /// The share of the index's documents that belong to `container`, or
    /// `nil` if the server's answers do not say.
    private func containerShare(_ container: SemanticContainer) async -> Double? {
        async let inContainer = client.send(RedisCommand("FT.SEARCH", name, "@c:{\(container.id)}", "LIMIT", 0, 0, "DIALECT", 2))
        async let info = client.send(RedisCommand("FT.INFO", name))
        guard let counted = (try? await inContainer)?.array?.first?.int, let fields = (try? await info)?.array,
            let position = fields.firstIndex(where: { $0.string == "num_docs" }), position + 1 < fields.count,
            let total = fields[position + 1].int, total > 0
        else { return nil }
        return Double(counted) / Double(total)
    }

    func answerKey(for key: CacheKey, in container: SemanticContainer) -> [UInt8] {
        Array((documentPrefix + "v\(container.version):" + key.hex).utf8)
    }

    func store(_ entry: IndexedEntry) async throws -> Bool {
        let document = documentPrefix + "v\(entry.container.version):" + entry.key.hex
        let tagDigests = entry.tags.sorted().map(RedisKeyspace.digest(of:))
        let reply = try await client.run(
            RedisScripts.storeDocument, keys: [Array(document.utf8)] + entry.fence.keys,
            arguments: [
                entry.ttl.redisBytes, Array("c".utf8), Array(entry.container.id.utf8), Array("vec".utf8),
                VectorBytes.encode(entry.vector), Array("p".utf8), entry.frame, Array("t".utf8),
                Array(tagDigests.joined(separator: ",").utf8),
            ] + entry.fence.arguments)
        return reply.int == 1
    }
}
