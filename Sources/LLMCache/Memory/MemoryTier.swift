import Synchronization

/// An exact-match tier in this process's memory: the fastest tier, and the
/// first one a stack should ask.
///
/// A least-recently-used map bounded by entry count and bytes, behind a
/// `Mutex`: a hit takes the lock once and makes no actor hop and no allocation
/// besides the returned entry.
public final class MemoryTier: FencedCacheTier {
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
    private let store: CacheLock<State>

    /// The entries and the invalidation history that fences stores into them.
    private struct State {
        var entries: LRUStore
        var fences = InvalidationFences()
    }

    public init(name: String = "memory", configuration: Configuration = .init(), clock: any CacheClock = SystemCacheClock()) {
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.store = CacheLock(
            State(entries: LRUStore(maxEntries: configuration.maxEntries, maxBytes: configuration.maxBytes)))
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
        return store.withLock { $0.entries.entry(for: query.key, now: now, version: query.namespaceVersion) }
            .map { CacheHit(entry: $0, key: query.key) }
    }

    @discardableResult
    public func remove(_ entry: EntryReference) -> Bool {
        store.withLock { $0.entries.remove(key: entry.key) }
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery) {
        _ = store(entry, for: query, unlessInvalidatedSince: nil)
    }

    public var isInProcess: Bool { true }

    public func invalidationMark() -> InvalidationMark {
        store.withLock { $0.fences.mark }
    }

    @discardableResult
    public func store(_ entry: CacheEntry, for query: CacheQuery, unlessInvalidatedSince mark: InvalidationMark?)
        -> StoreOutcome
    {
        let now = clock.now
        guard !entry.isExpired(at: now) else { return .skipped }
        let deadline = configuration.ttl.map { now.advanced(by: $0) }
        return store.withLock { state in
            guard state.fences.allows(tags: entry.tags, since: mark) else { return .invalidatedMeanwhile }
            return state.entries.insert(entry, for: query.key, deadline: deadline) ? .stored : .skipped
        }
    }

    @discardableResult
    public func invalidate(tags: Set<String>) -> Int {
        store.withLock { state in
            state.fences.invalidate(tags: tags)
            return state.entries.remove(tags: tags)
        }
    }

    public func removeAll() {
        store.withLock { state in
            state.fences.invalidateAll()
            state.entries.removeAll()
        }
    }

    public func namespaceVersionDidChange(to version: UInt64) {
        store.withLock { state in
            state.fences.invalidateAll()
            state.entries.remove(versionsOtherThan: version)
        }
    }

    /// How many entries the tier holds now.
    public var count: Int { store.withLock { $0.entries.count } }

    /// The estimated bytes the tier holds now.
    public var byteCount: Int { store.withLock { $0.entries.byteCount } }

    /// Entries pushed out by the count or byte bound since the tier was created.
    public var evictionCount: Int { store.withLock { $0.entries.evictionCount } }
}
