import LLMCache
import Logging
import Synchronization

/// An exact-match tier in Redis: shared by every process, survives restarts
/// of the application, one round trip per lookup.
///
/// Each entry is one key holding a checked, zstd-compressed frame, expiring by
/// Redis's own `PX`. Tags are Redis sets of entry keys, written atomically
/// with the entry; invalidating a tag removes its entries and tells other
/// processes through the namespace's channel.
public final class RedisExactTier: FencedCacheTier {
    /// Limits and encoding of a ``RedisExactTier``.
    public struct Configuration: Sendable {
        /// Entries whose frame is larger are not stored (and logged): one huge
        /// answer should not evict thousands of small ones or stall Redis.
        public var maximumValueBytes: Int = 8 << 20
        /// Frames, checksums and compression.
        public var codec = PayloadCodec()

        public init(maximumValueBytes: Int = 8 << 20, codec: PayloadCodec = PayloadCodec()) {
            self.maximumValueBytes = maximumValueBytes
            self.codec = codec
        }
    }

    public let name: String
    public var matching: TierMatching { .exact }
    public let namespace: RedisNamespace
    public let configuration: Configuration
    private let clock: any CacheClock
    private let logger: Logger
    private let corrupt = Atomic<Int>(0)
    private let oversized = Atomic<Int>(0)

    public init(
        name: String = "redis", namespace: RedisNamespace, configuration: Configuration = .init(),
        clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.name = name
        self.namespace = namespace
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    private var client: RedisClient { namespace.client }
    private var keyspace: RedisKeyspace { namespace.keyspace }

    /// Stored values that failed to decode and were deleted.
    public var corruptEntryCount: Int { corrupt.load(ordering: .relaxed) }
    /// Entries not stored because their frame exceeded ``Configuration/maximumValueBytes``.
    public var oversizedEntryCount: Int { oversized.load(ordering: .relaxed) }

    public func lookup(_ query: CacheQuery) async throws -> CacheHit? {
        let key = keyspace.entryKey(query.key, version: query.namespaceVersion)
        guard let stored = try await client.execute(.get(key)) else { return nil }
        let entry: CacheEntry
        do {
            entry = try SlidingFrame.decode(stored, with: configuration.codec)
        } catch {
            corrupt.add(1, ordering: .relaxed)
            logger.warning("deleting an undecodable cache entry", metadata: ["key": "\(query.key)", "error": "\(error)"])
            try await client.execute(.unlink([key]))
            return nil
        }
        let now = clock.now
        guard entry.namespaceVersion == query.namespaceVersion, !entry.isExpired(at: now) else { return nil }
        let touched = entry.touched(at: now)
        if case .sliding(let ttl) = touched.expiration, let expiresAt = touched.expiresAt {
            _ = try await client.run(
                RedisScripts.touchEntry, keys: [key] + touched.tags.sorted().map(keyspace.group(of: query.key).tagKey),
                arguments: [RedisTTL.milliseconds(ttl).redisBytes, SlidingFrame.expiryBytes(expiresAt)])
        }
        return CacheHit(entry: touched, key: query.key)
    }

    /// Removes the entry's answer and tells every process (their memory
    /// tiers drop their copies).
    @discardableResult
    public func remove(_ entry: EntryReference) async throws -> Bool {
        try await namespace.remove(entry, keys: [keyspace.entryKey(entry.key, version: entry.namespaceVersion)]) > 0
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery) async throws {
        _ = try await store(entry, for: query, unlessInvalidatedSince: nil)
    }

    public func invalidationMark() async throws -> InvalidationMark {
        try await namespace.invalidationMark()
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery, unlessInvalidatedSince mark: InvalidationMark?)
        async throws -> StoreOutcome
    {
        guard namespace.accepts(mark) else { return .skipped }
        let now = clock.now
        guard let ttl = RedisTTL(remainingOf: entry, at: now) else { return .skipped }
        let frame = try configuration.codec.encode(entry: entry)
        guard frame.count <= configuration.maximumValueBytes else {
            oversized.add(1, ordering: .relaxed)
            logger.warning(
                "not storing an entry above the size limit",
                metadata: ["bytes": "\(frame.count)", "limit": "\(configuration.maximumValueBytes)"])
            return .skipped
        }
        let key = keyspace.entryKey(query.key, version: query.namespaceVersion)
        let fence = StoreFence(
            group: keyspace.group(of: query.key), tags: entry.tags, version: query.namespaceVersion, mark: mark)
        let reply = try await client.run(
            RedisScripts.storeEntry, keys: [key] + fence.keys,
            arguments: [SlidingFrame.wrap(frame, for: entry), ttl.milliseconds.redisBytes] + fence.arguments)
        return reply.int == 1 ? .stored : .invalidatedMeanwhile
    }

    @discardableResult
    public func invalidate(tags: Set<String>) async throws -> Int {
        try await namespace.invalidate(tags: tags)
    }

    /// Removes every entry of the namespace, with `SCAN` and `UNLINK`
    /// (never `KEYS`, which blocks the server), and tells other processes.
    public func removeAll() async throws {
        try await namespace.removeAllEntries()
    }

    /// ``removeAll()`` for a namespace large enough that the caller wants to
    /// show progress: `progress` hears the number of keys deleted so far after
    /// each batch; returns the total.
    @discardableResult
    public func removeAll(progress: (Int) -> Void) async throws -> Int {
        try await namespace.removeAllEntries(progress: progress)
    }

    /// Nothing to do: key names carry the version, so older entries are
    /// unreachable already and age out by their TTL.
    public func namespaceVersionDidChange(to version: UInt64) async {}
}
