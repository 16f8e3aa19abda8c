import LLMCache

/// Labelled semantic matches kept in Redis, next to the answers they judge,
/// so that every process sharing the namespace learns from every other's
/// explorations, verifications and reports (see ``SemanticFeedback``).
///
/// Each entry's observations are a list under the entry's own versioned key
/// (`v{version}:o:{sha256}`), living as long as ``entryLifetime``; the pool
/// is one list (`obs`) of the most recent ``poolLimit``. A record is one
/// script call, so the pool and the entry never disagree.
public struct RedisObservationStore: ObservationStore {
    public let namespace: RedisNamespace
    /// How many pooled observations are kept.
    public var poolLimit: Int
    /// How many observations of one entry are kept.
    public var entryLimit: Int
    /// How long an entry's observations outlive their last record; match an
    /// answer's longest TTL.
    public var entryLifetime: Duration

    public init(
        namespace: RedisNamespace, poolLimit: Int = 4096, entryLimit: Int = 64, entryLifetime: Duration = .seconds(7 * 86_400)
    ) {
        self.namespace = namespace
        self.poolLimit = max(1, poolLimit)
        self.entryLimit = max(1, entryLimit)
        self.entryLifetime = entryLifetime
    }

    private var keyspace: RedisKeyspace { namespace.keyspace }

    public func record(_ observation: MatchObservation, for entry: EntryReference) async throws {
        _ = try await namespace.client.run(
            Self.recordScript, keys: [keyspace.pooledObservationsKey, keyspace.observationsKey(entry)],
            arguments: [
                Array(observation.encoded.utf8), poolLimit.redisBytes, entryLimit.redisBytes,
                RedisTTL.milliseconds(entryLifetime).redisBytes,
            ])
    }

    public func observations(of entry: EntryReference) async throws -> EntryObservations {
        EntryObservations(try await read(keyspace.observationsKey(entry)))
    }

    public func pooledObservations() async throws -> [MatchObservation] {
        try await read(keyspace.pooledObservationsKey)
    }

    /// Unreadable elements (written by something else) are skipped.
    private func read(_ key: [UInt8]) async throws -> [MatchObservation] {
        try await namespace.client.execute(.lrangeAll(key)).compactMap { MatchObservation(encoded: String(decoding: $0, as: UTF8.self)) }
    }

    /// KEYS: the pool, the entry's list. ARGV: the observation, pool limit,
    /// entry limit, entry lifetime (ms).
    static let recordScript = RedisScript(
        """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        redis.call('LPUSH', KEYS[2], ARGV[1])
        redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return 1
        """)
}
