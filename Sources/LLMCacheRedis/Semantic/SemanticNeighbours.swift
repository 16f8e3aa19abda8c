import LLMCache

extension RedisSemanticTier {
    /// A stored entry near a vector, found by ``neighbours(of:count:version:)``.
    public struct Neighbour: Sendable {
        /// Cosine similarity to the vector, in [-1, 1].
        public var similarity: Float
        /// The Redis key holding the answer (`llmcache inspect` takes it).
        public var key: String
        /// The semantic container (a digest of scope, version, model and
        /// index layout): only entries of the same container match each other.
        public var container: String
        /// The stored entry; `nil` if its bytes do not decode.
        public var entry: CacheEntry?
    }

    /// The `count` stored entries nearest to `vector` in every semantic
    /// container of namespace version `version` (the current one by
    /// default), whatever their scope and similarity, closest first.
    ///
    /// Why: to see what a paraphrase would match, and how close the runner-up
    /// is, when tuning the threshold or explaining a miss. It searches each
    /// container in turn (one search per scope), so it is a tool for
    /// operators, not for serving; with RediSearch it overfetches from the
    /// single index and keeps this version's documents.
    public func neighbours(of vector: [Float], count: Int = 5, version: UInt64? = nil) async throws -> [Neighbour] {
        guard count > 0 else { return [] }
        let vector = try normalizedEmbedding(vector, dimensions: embedder.dimensions)
        let found = try await resolvedIndex().index.neighbours(
            of: vector, version: version ?? namespace.current, count: count)
        return found.sorted { $0.candidate.similarity > $1.candidate.similarity }.prefix(count).map { found in
            Neighbour(
                similarity: found.candidate.similarity,
                key: String(decoding: found.candidate.answerKey, as: UTF8.self), container: found.container,
                entry: try? SlidingFrame.decode(found.candidate.frame, with: configuration.codec))
        }
    }

    /// The container `query` searches and stores into, to tell whether a
    /// ``Neighbour`` shares its scope.
    public func containerID(for query: CacheQuery) async throws -> String {
        container(for: query, backend: try await resolvedIndex().backend).id
    }
}

extension VectorSetIndex {
    func neighbours(of vector: [Float], version: UInt64, count: Int) async throws -> [ContainedCandidate] {
        var sets = Set<String>()
        try await client.scan(matching: Array("\(keyspace.prefix)*v\(version):vs:*".utf8)) { keys in
            for key in keys {
                if case .vectorSet(_, let container) = keyspace.kind(of: key) { sets.insert(container) }
            }
        }
        // Another embedder's set (another dimension) cannot be searched with this vector.
        var searchable: [String] = []
        for container in sets.sorted() {
            let key = keyspace.vectorSetKey(container: container, version: version)
            // A set removed since the walk has no dimension (an error reply on some versions).
            if (try? await client.execute(.vdim(key))) == Int64(vector.count) { searchable.append(container) }
        }
        return try await nearest(to: vector, inEach: searchable, version: version, count: count)
    }
}

extension BucketIndex {
    func neighbours(of vector: [Float], version: UInt64, count: Int) async throws -> [ContainedCandidate] {
        var containers = Set<String>()
        try await client.scan(matching: Array("\(keyspace.prefix)*v\(version):lsh:*".utf8)) { keys in
            for key in keys {
                if case .lshBucket(_, let container, _) = keyspace.kind(of: key) { containers.insert(container) }
            }
        }
        // Every bucket, not the lookup's probes: an inspection must not miss
        // a neighbour that landed across a plane.
        let exhaustive = BucketIndex(client: client, keyspace: keyspace, planes: planes, probes: 1 << min(planes.count, 20))
        return try await exhaustive.nearest(to: vector, inEach: containers.sorted(), version: version, count: count)
    }
}

extension SemanticIndex {
    /// Searches each container in turn with no similarity floor, for
    /// backends that keep one structure per container.
    fileprivate func nearest(
        to vector: [Float], inEach containers: [String], version: UInt64, count: Int
    ) async throws -> [ContainedCandidate] {
        var found: [ContainedCandidate] = []
        for container in containers {
            let candidates = try await nearest(
                to: vector, in: SemanticContainer(id: container, version: version), minimumSimilarity: -1, count: count)
            found += candidates.map { ContainedCandidate(container: container, candidate: $0) }
        }
        return found
    }
}

extension SearchIndex {
    func neighbours(of vector: [Float], version: UInt64, count: Int) async throws -> [ContainedCandidate] {
        // One index holds every version: fetch extra and keep this version's documents.
        let fetched = count * 4 + 16
        let reply = try await client.send(
            RedisCommand(
                "FT.SEARCH", name,
                "*=>[KNN \(fetched) @vec $vector EF_RUNTIME \(max(fetched, settings.searchExplorationFactor)) AS distance]",
                "PARAMS", 2, "vector", VectorBytes.encode(vector), "SORTBY", "distance", "RETURN", 3, "distance", "p", "c",
                "LIMIT", 0, fetched, "DIALECT", 2))
        if case .error(let message) = reply,
            message.lowercased().contains("no such index") || message.lowercased().contains("unknown index")
        {
            return []
        }
        guard let results = try RedisClient.throwingErrors(reply).array, !results.isEmpty else {
            throw RedisError(.protocolError, "unexpected FT.SEARCH reply")
        }
        let versionPrefix = Array("\(documentPrefix)v\(version):".utf8)
        var found: [ContainedCandidate] = []
        for index in stride(from: 1, to: results.count - 1, by: 2) {
            guard let key = results[index].bytes, key.starts(with: versionPrefix), let fields = results[index + 1].array
            else { continue }
            var distance: Float?
            var frame: [UInt8]?
            var container = ""
            for field in stride(from: 0, to: fields.count - 1, by: 2) {
                switch fields[field].string {
                case "distance": distance = fields[field + 1].string.flatMap(Float.init)
                case "p": frame = fields[field + 1].bytes
                case "c": container = fields[field + 1].string ?? ""
                default: break
                }
            }
            guard let distance, let frame else { continue }
            found.append(
                ContainedCandidate(
                    container: container,
                    candidate: SemanticCandidate(
                        similarity: min(1, max(-1, 1 - distance)), frame: frame, answerKey: key, record: nil)))
        }
        return Array(found.prefix(count))
    }
}
