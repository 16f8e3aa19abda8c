extension RedisKeyspace {
    /// What a key of the namespace holds, read from its name.
    ///
    /// Why: tools that walk a namespace (`llmcache stats` counting entries,
    /// `llmcache inspect` explaining one key) must agree with the tiers on
    /// the key layout; keeping the parser next to the key builders keeps the
    /// two in step.
    public enum KeyKind: Sendable, Hashable {
        /// An exact-tier answer: `v{version}:e:{sha256}`.
        case exactEntry(version: UInt64, hash: String)
        /// A semantic answer of the vector-set or LSH backend: `v{version}:s:{container}:{sha256}`.
        case semanticAnswer(version: UInt64, container: String, hash: String)
        /// The vectors of one semantic container: `v{version}:vs:{container}`.
        case vectorSet(version: UInt64, container: String)
        /// One LSH bucket (element → vector): `v{version}:lsh:{container}:{bucket}`.
        case lshBucket(version: UInt64, container: String, bucket: String)
        /// A RediSearch document (vector and answer): `doc:{index}:v{version}:{sha256}`.
        case searchDocument(index: String, version: UInt64, hash: String)
        /// The lease of a process calling the model for an entry (see
        /// `RedisMissCoordinator`): `v{version}:lease:{sha256}`, short-lived.
        case flightLease(version: UInt64, hash: String)
        /// The members of one tag: `tag:{sha256 of the tag}`.
        case tagSet
        /// Semantic index records by expiry time, for the sweep: `sx`.
        case semanticExpiryIndex
        /// The namespace version counter.
        case version
        /// The invalidation counter and its records (`fence`, `fence:all`,
        /// `fence:tag:{sha256}`), which fence stores of stale answers.
        case invalidationFence
        /// A shared setting kept by `removeAll()`: `cfg:{name}`.
        case setting(name: String)
        /// Published statistics (see `RedisStatisticsPublisher`): `stats:…`.
        case statistics
        /// Labelled semantic matches (see `RedisObservationStore`): pooled
        /// (`obs`, no version) or one entry's (`v{version}:o:{sha256}`).
        case matchObservations(version: UInt64?)
        /// A key under the namespace's prefix that no tier writes.
        case unknown

        /// The namespace version of a versioned key, `nil` for the others.
        public var version: UInt64? {
            switch self {
            case .exactEntry(let version, _), .semanticAnswer(let version, _, _), .vectorSet(let version, _),
                .lshBucket(let version, _, _), .searchDocument(_, let version, _), .flightLease(let version, _):
                return version
            case .matchObservations(let version):
                return version
            default:
                return nil
            }
        }
    }

    /// What `key` holds, or `nil` when it is not a key of this namespace.
    public func kind(of key: [UInt8]) -> KeyKind? {
        kind(of: String(decoding: key, as: UTF8.self))
    }

    /// What `key` holds, or `nil` when it is not a key of this namespace.
    public func kind(of key: String) -> KeyKind? {
        guard key.hasPrefix(prefix) else { return nil }
        var rest = key.dropFirst(prefix.count)
        // A cluster layout's hash tag (see `RedisKeyGroup`) says where, not what.
        if rest.first == "{", let close = rest.firstIndex(of: "}"), rest[rest.index(after: close)...].first == ":" {
            rest = rest[rest.index(close, offsetBy: 2)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "version" where parts.count == 1: return .version
        case "fence": return .invalidationFence
        case "sx" where parts.count == 1: return .semanticExpiryIndex
        case "tag" where parts.count == 2: return .tagSet
        case "cfg" where parts.count >= 2: return .setting(name: parts.dropFirst().joined(separator: ":"))
        case "stats": return .statistics
        case "obs" where parts.count == 1: return .matchObservations(version: nil)
        case "doc" where parts.count == 4:
            guard let version = Self.version(parts[2]) else { return .unknown }
            return .searchDocument(index: parts[1], version: version, hash: parts[3])
        default: break
        }
        guard parts.count >= 3, let version = Self.version(parts[0]) else { return .unknown }
        switch (parts[1], parts.count) {
        case ("e", 3): return .exactEntry(version: version, hash: parts[2])
        case ("s", 4): return .semanticAnswer(version: version, container: parts[2], hash: parts[3])
        case ("vs", 3): return .vectorSet(version: version, container: parts[2])
        case ("lsh", 4): return .lshBucket(version: version, container: parts[2], bucket: parts[3])
        case ("o", 3): return .matchObservations(version: version)
        case ("lease", 3): return .flightLease(version: version, hash: parts[2])
        default: return .unknown
        }
    }

    /// `v12` → 12.
    private static func version(_ part: String) -> UInt64? {
        guard part.first == "v" else { return nil }
        return UInt64(part.dropFirst())
    }
}
