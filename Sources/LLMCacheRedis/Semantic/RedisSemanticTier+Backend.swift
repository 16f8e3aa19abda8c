import LLMCache
import Logging
import Synchronization

extension RedisSemanticTier {
    /// The index behind the configured backend, set up on first use.
    func resolvedIndex() async throws -> (backend: Backend, index: any SemanticIndex) {
        if let resolved = index.withLock({ $0 }) { return resolved }
        let backend = try await chooseBackend()
        let resolved: (backend: Backend, index: any SemanticIndex)
        switch backend {
        case .vectorSet:
            resolved = (backend, VectorSetIndex(client: client, keyspace: keyspace, settings: configuration.vectorSet))
        case .search:
            let search = SearchIndex(
                client: client, keyspace: keyspace, settings: configuration.search, model: embedder.identifier,
                dimensions: embedder.dimensions)
            try await search.prepare()
            resolved = (backend, search)
        case .lsh, .auto:
            let planes = Hyperplanes(
                count: configuration.lsh.planes, dimensions: embedder.dimensions, seed: try await hyperplaneSeed())
            resolved = (.lsh, BucketIndex(client: client, keyspace: keyspace, planes: planes, probes: configuration.lsh.probes))
        }
        logger.info(
            "semantic tier backend chosen",
            metadata: ["tier": "\(name)", "backend": "\(resolved.backend)", "configured": "\(configuration.backend)"])
        return index.withLock { current in
            if let current { return current }
            current = resolved
            return resolved
        }
    }

    /// Asks the server which backend it offers (`COMMAND INFO` answers nil
    /// for a command it does not know), preferring vector sets, then search.
    ///
    /// On a cluster the search backend is never chosen, and refused when
    /// configured: one index per node would see only that node's documents,
    /// and this client does not go through a search coordinator.
    private func chooseBackend() async throws -> Backend {
        let isCluster = keyspace.layout == .cluster
        func has(_ command: String) async throws -> Bool {
            try await client.execute(.knowsCommand(command))
        }
        switch configuration.backend {
        case .auto:
            if try await has("VSIM") { return .vectorSet }
            if !isCluster, try await has("FT.SEARCH") { return .search }
            return .lsh
        case .vectorSet:
            guard try await has("VSIM") else {
                throw RedisError(.invalidConfiguration, "the vector-set backend needs Redis 8 (VSIM is unknown to this server)")
            }
            return .vectorSet
        case .search:
            guard !isCluster else {
                throw RedisError(
                    .invalidConfiguration,
                    "the search backend does not run on a Redis Cluster: each node's index would see only that node's documents, and LLMCache does not use a search coordinator; use .vectorSet (Redis 8) or .lsh")
            }
            guard try await has("FT.SEARCH") else {
                throw RedisError(
                    .invalidConfiguration, "the search backend needs RediSearch or Valkey-search (FT.SEARCH is unknown)")
            }
            return .search
        case .lsh:
            return .lsh
        }
    }

    /// The namespace's hyperplane seed: the first process to need one picks
    /// it (`SET NX`), every process and restart after reads the same.
    private func hyperplaneSeed() async throws -> UInt64 {
        let key = keyspace.hyperplaneSeedKey
        try await client.execute(.setIfAbsent(key, UInt64.random(in: 1...UInt64.max)))
        guard let stored = try await client.execute(.get(key)), let seed = UInt64(String(decoding: stored, as: UTF8.self)) else {
            throw RedisError(.protocolError, "the LSH seed at \(String(decoding: key, as: UTF8.self)) is not a number")
        }
        return seed
    }
}
