import Synchronization

/// An exact-match tier in this process's memory: the fastest tier, and the
/// first one a stack should ask.
///
/// A least-recently-used map bounded by entry count and bytes, behind a
/// `Mutex`: a hit takes the lock once and makes no actor hop and no allocation
/// besides the returned entry.
public final class MemoryTier: CacheTier {
    /// Limits and lifetime of a ``MemoryTier``.
    public struct Configuration: Sendable {
        /// The most entries kept; the least recently used goes first.
        public var maxEntries: Int = 10_000
        /// The most bytes kept (estimated per entry, value and metadata).
        public var maxBytes: Int = 64 << 20
        /// The longest an entry stays in this tier, even if it would live
        /// longer in slower tiers; `nil` keeps it until its own expiry.
        public var ttl: Duration? = .seconds(300)

        public init(maxEntries: Int = 10_000, maxBytes: Int = 64 << 20, ttl: Duration? = .seconds(300)) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.ttl = ttl
        }
    }

    public let name: String
    public var matching: TierMatching { .exact }
    public let configuration: Configuration
    private let clock: any CacheClock
    private let store: CacheLock<LRUStore>

    public init(name: String = "memory", configuration: Configuration = .init(), clock: any CacheClock = SystemCacheClock()) {
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.store = CacheLock(LRUStore(maxEntries: configuration.maxEntries, maxBytes: configuration.maxBytes))
    }

    /// The common case in one line: `MemoryTier(maxEntries: 10_000, maxBytes: 64 << 20, ttl: .seconds(300))`.
    public convenience init(
        name: String = "memory", maxEntries: Int, maxBytes: Int = 64 << 20, ttl: Duration? = .seconds(300),
        clock: any CacheClock = SystemCacheClock()
    ) {
        self.init(
            name: name, configuration: .init(maxEntries: maxEntries, maxBytes: maxBytes, ttl: ttl), clock: clock)
    }

    public func lookup(_ query: CacheQuery) -> CacheHit? {
        let now = clock.now
        return store.withLock { $0.entry(for: query.key, now: now, version: query.namespaceVersion) }
            .map { CacheHit(entry: $0) }
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery) {
        let now = clock.now
        guard !entry.isExpired(at: now) else { return }
        let deadline = configuration.ttl.map { now.advanced(by: $0) }
        store.withLock { _ = $0.insert(entry, for: query.key, deadline: deadline) }
    }

    @discardableResult
    public func invalidate(tags: Set<String>) -> Int {
        store.withLock { $0.remove(tags: tags) }
    }

    public func removeAll() {
        store.withLock { $0.removeAll() }
    }

    public func namespaceVersionDidChange(to version: UInt64) {
        store.withLock { $0.remove(versionsOtherThan: version) }
    }

    /// How many entries the tier holds now.
    public var count: Int { store.withLock { $0.count } }

    /// The estimated bytes the tier holds now.
    public var byteCount: Int { store.withLock { $0.byteCount } }

    /// Entries pushed out by the count or byte bound since the tier was created.
    public var evictionCount: Int { store.withLock { $0.evictionCount } }
}
