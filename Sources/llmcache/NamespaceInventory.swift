import LLMCacheRedis

/// What a namespace holds in Redis, counted by walking its keys with `SCAN`.
///
/// Memory is `MEMORY USAGE` of up to `sample` keys per kind, scaled up to
/// the kind's key count when more keys exist than were measured (then it is
/// an estimate, printed with `≈`).
struct NamespaceInventory: Encodable {
    /// Key kinds, in the order they are printed.
    enum Kind: String, Encodable, CaseIterable, Comparable {
        case exactAnswers = "exact answers"
        case semanticAnswers = "semantic answers"
        case vectorSets = "vector sets"
        case lshBuckets = "lsh buckets"
        case searchDocuments = "search documents"
        case tagSets = "tag sets"
        case leases = "flight leases"
        case expiryIndex = "semantic expiry index"
        case statistics = "statistics"
        case observations = "match observations"
        case settings = "version and settings"
        case unknown = "other keys"

        static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The keys of one kind, in the current version or in older ones.
    struct Group: Encodable {
        var kind: Kind
        /// False for keys of retired versions, unreachable and waiting for their TTL.
        var currentVersion: Bool
        var keys = 0
        /// Vectors in the group's sets or buckets; `nil` for kinds without vectors.
        var vectors: Int?
        var memoryBytes = 0
        var measuredKeys = 0
        var memoryIsEstimate: Bool { measuredKeys < keys }
        /// Keys measured for memory; not printed.
        fileprivate var sample: [[UInt8]] = []

        enum CodingKeys: String, CodingKey {
            case kind, currentVersion, keys, vectors, memoryBytes, measuredKeys, memoryIsEstimate
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(currentVersion, forKey: .currentVersion)
            try container.encode(keys, forKey: .keys)
            try container.encodeIfPresent(vectors, forKey: .vectors)
            try container.encode(memoryBytes, forKey: .memoryBytes)
            try container.encode(measuredKeys, forKey: .measuredKeys)
            try container.encode(memoryIsEstimate, forKey: .memoryIsEstimate)
        }
    }

    /// One semantic container (a scope of one embedder and layout) of the
    /// vector-set or LSH backend.
    struct Container: Encodable {
        var backend: String
        var id: String
        var version: UInt64
        var vectors: Int
    }

    /// One RediSearch index of the namespace (one per embedding model).
    struct SearchIndexSummary: Encodable {
        var name: String
        var documents: Int
        /// The index's own memory, as `FT.INFO` reports it.
        var memoryBytes: Int?
    }

    var version: UInt64
    var groups: [Group]
    var containers: [Container]
    var searchIndexes: [SearchIndexSummary]

    var totalKeys: Int { groups.reduce(0) { $0 + $1.keys } }
    var totalMemoryBytes: Int { groups.reduce(0) { $0 + $1.memoryBytes } }
    var memoryIsEstimate: Bool { groups.contains(where: \.memoryIsEstimate) }

    enum CodingKeys: String, CodingKey {
        case version, groups, containers, searchIndexes, totalKeys, totalMemoryBytes, memoryIsEstimate
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(groups, forKey: .groups)
        try container.encode(containers, forKey: .containers)
        try container.encode(searchIndexes, forKey: .searchIndexes)
        try container.encode(totalKeys, forKey: .totalKeys)
        try container.encode(totalMemoryBytes, forKey: .totalMemoryBytes)
        try container.encode(memoryIsEstimate, forKey: .memoryIsEstimate)
    }

    /// Walks the namespace.
    ///
    /// - Parameter sample: most keys per kind measured with `MEMORY USAGE`.
    static func measure(namespace: RedisNamespace, client: RedisClient, sample: Int) async throws -> NamespaceInventory {
        let keyspace = namespace.keyspace
        let version = namespace.current
        var groups: [String: Group] = [:]
        var vectorSets: [(key: [UInt8], container: String, version: UInt64)] = []
        var buckets: [(key: [UInt8], container: String, version: UInt64)] = []
        try await client.scan(matching: keyspace.pattern) { keys in
            for key in keys {
                guard let kind = keyspace.kind(of: key) else { continue }
                let group = Self.kind(of: kind)
                let current = kind.version.map { $0 == version } ?? true
                let name = "\(group.rawValue)|\(current)"
                var entry = groups[name] ?? Group(kind: group, currentVersion: current)
                entry.keys += 1
                if entry.sample.count < sample { entry.sample.append(key) }
                groups[name] = entry
                switch kind {
                case .vectorSet(let version, let container): vectorSets.append((key, container, version))
                case .lshBucket(let version, let container, _): buckets.append((key, container, version))
                default: break
                }
            }
        }
        // Sizes of sampled keys, vectors in every set and bucket: many small
        // commands sent concurrently, which the client pipelines.
        let sampled = groups.values.flatMap(\.sample)
        let sizes = try await Self.integers(client: client, keys: sampled) { .memoryUsage($0) }
        let setSizes = try await Self.integers(client: client, keys: vectorSets.map(\.key)) { .vcard($0) }
        let bucketSizes = try await Self.integers(client: client, keys: buckets.map(\.key)) { TypedRedisCommand<Int64>.hlen($0).map { Optional($0) } }
        for name in groups.keys {
            var group = groups[name]!
            let measured = group.sample.compactMap { sizes[$0] }
            group.measuredKeys = measured.count
            let total = measured.reduce(0, +)
            group.memoryBytes = measured.isEmpty ? 0 : Int((Double(total) / Double(measured.count) * Double(group.keys)).rounded())
            groups[name] = group
        }

        var containers: [String: Container] = [:]
        for set in vectorSets {
            containers["vs|\(set.version)|\(set.container)"] = Container(
                backend: "vector set", id: set.container, version: set.version, vectors: setSizes[set.key] ?? 0)
        }
        for bucket in buckets {
            let name = "lsh|\(bucket.version)|\(bucket.container)"
            var container = containers[name] ?? Container(backend: "lsh", id: bucket.container, version: bucket.version, vectors: 0)
            container.vectors += bucketSizes[bucket.key] ?? 0
            containers[name] = container
        }
        for name in groups.keys {
            switch groups[name]!.kind {
            case .vectorSets:
                groups[name]!.vectors = vectorSets.filter { ($0.version == version) == groups[name]!.currentVersion }
                    .reduce(0) { $0 + (setSizes[$1.key] ?? 0) }
            case .lshBuckets:
                groups[name]!.vectors = buckets.filter { ($0.version == version) == groups[name]!.currentVersion }
                    .reduce(0) { $0 + (bucketSizes[$1.key] ?? 0) }
            default: break
            }
        }
        return NamespaceInventory(
            version: version,
            groups: groups.values.sorted { ($0.kind, $0.currentVersion ? 0 : 1) < ($1.kind, $1.currentVersion ? 0 : 1) },
            containers: containers.values.sorted { ($0.version, $0.vectors, $0.id) > ($1.version, $1.vectors, $1.id) },
            searchIndexes: try await searchIndexes(namespace: namespace, client: client))
    }

    private static func kind(of kind: RedisKeyspace.KeyKind) -> Kind {
        switch kind {
        case .exactEntry: .exactAnswers
        case .semanticAnswer: .semanticAnswers
        case .vectorSet: .vectorSets
        case .lshBucket: .lshBuckets
        case .searchDocument: .searchDocuments
        case .tagSet: .tagSets
        case .flightLease: .leases
        case .semanticExpiryIndex: .expiryIndex
        case .statistics: .statistics
        case .matchObservations: .observations
        case .version, .setting, .invalidationFence: .settings
        case .unknown: .unknown
        }
    }

    /// `command(key)` for every key, 64 at a time; integer replies by key
    /// (keys that vanished meanwhile are left out).
    private static func integers(
        client: RedisClient, keys: [[UInt8]], _ command: @escaping @Sendable ([UInt8]) -> TypedRedisCommand<Int64?>
    ) async throws -> [[UInt8]: Int] {
        var results: [[UInt8]: Int] = [:]
        for start in stride(from: 0, to: keys.count, by: 64) {
            let chunk = keys[start..<min(keys.count, start + 64)]
            try await withThrowingTaskGroup(of: ([UInt8], Int?).self) { group in
                for key in chunk {
                    group.addTask {
                        do {
                            return (key, try await client.execute(command(key)).map(Int.init))
                        } catch let error as RedisError where error.code == .serverError {
                            return (key, nil)  // the key changed type or vanished since the walk
                        }
                    }
                }
                for try await (key, value) in group { results[key] = value }
            }
        }
        return results
    }

    /// The namespace's RediSearch indexes (`FT._LIST`), if the server has the module.
    private static func searchIndexes(namespace: RedisNamespace, client: RedisClient) async throws -> [SearchIndexSummary] {
        guard let names = try await client.send(RedisCommand("FT._LIST")).array else { return [] }
        let prefix = "\(String(decoding: namespace.keyspace.pattern.dropLast(), as: UTF8.self))idx:"
        var summaries: [SearchIndexSummary] = []
        for name in names.compactMap(\.string).filter({ $0.hasPrefix(prefix) }).sorted() {
            guard let info = try await client.send(RedisCommand("FT.INFO", name)).array else { continue }
            var fields: [String: RedisValue] = [:]
            for index in stride(from: 0, to: info.count - 1, by: 2) {
                if let field = info[index].string { fields[field] = info[index + 1] }
            }
            func number(_ field: String) -> Double? {
                fields[field].flatMap { $0.string.flatMap(Double.init) ?? $0.int.map(Double.init) }
            }
            // The text index's total leaves out the vector index.
            let parts = ["inverted_sz_mb", "offset_vectors_sz_mb", "doc_table_size_mb", "sortable_values_size_mb",
                "key_table_size_mb"].compactMap(number)
            let text = number("total_index_memory_sz_mb") ?? (parts.isEmpty ? nil : parts.reduce(0, +))
            let megabytes = [text, number("vector_index_sz_mb")].compactMap { $0 }
            summaries.append(
                SearchIndexSummary(
                    name: name, documents: Int(number("num_docs") ?? 0),
                    memoryBytes: megabytes.isEmpty ? nil : Int((megabytes.reduce(0, +) * 1_048_576).rounded())))
        }
        return summaries
    }
}
