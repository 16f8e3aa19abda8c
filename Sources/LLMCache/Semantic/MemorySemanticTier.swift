import Synchronization

/// A semantic tier in this process's memory: answers a paraphrase of an
/// earlier request by brute-force cosine similarity.
///
/// Exact nearest-neighbour search over contiguous vectors with SIMD, inside the
/// request's scope only. Good to some tens of thousands of entries; beyond
/// that, use a Redis semantic tier with an index.
public final class MemorySemanticTier: FencedCacheTier {
    /// Matching and limits of a ``MemorySemanticTier``.
    public struct Configuration: Sendable {
        /// The lowest cosine similarity (in [-1, 1], higher is closer) a
        /// candidate needs before the guard is asked. The default,
        /// ``LearnedVerifier/defaultThreshold`` (0.90), is meant for the
        /// shipped verifier; without a guard, choose one with `llmcache
        /// calibrate` (see README).
        public var threshold: Float = LearnedVerifier.defaultThreshold
        /// The most entries kept; the least recently used goes first.
        public var maxEntries: Int = 10_000
        /// The longest an entry stays in this tier; `nil` keeps it until its own expiry.
        public var ttl: Duration? = nil
        /// Decides whether a candidate above the threshold may be served
        /// (``LearnedVerifier`` by default); `nil` trusts the vectors.
        public var matchGuard: (any SemanticGuard)? = LearnedVerifier()
        /// How many nearest entries above the threshold are offered to the
        /// guard; the first it allows is served.
        public var candidates: Int = 3
        /// How long a lookup waits for the embedder before it counts as a miss.
        public var embeddingTimeout: Duration? = .seconds(5)

        public init(
            threshold: Float = LearnedVerifier.defaultThreshold, maxEntries: Int = 10_000, ttl: Duration? = nil,
            matchGuard: (any SemanticGuard)? = LearnedVerifier(), candidates: Int = 3,
            embeddingTimeout: Duration? = .seconds(5)
        ) {
            self.threshold = threshold
            self.maxEntries = maxEntries
            self.ttl = ttl
            self.matchGuard = matchGuard
            self.candidates = candidates
            self.embeddingTimeout = embeddingTimeout
        }
    }

    public let name: String
    public var matching: TierMatching { .semantic }
    public let configuration: Configuration
    public let embedder: any Embedder
    private let clock: any CacheClock
    private let store: CacheLock<State>

    /// The entries and the invalidation history that fences stores into them.
    private struct State {
        var entries: SemanticStore
        var fences = InvalidationFences()
    }

    public init(
        name: String = "semantic-memory", embedder: any Embedder, configuration: Configuration = .init(),
        clock: any CacheClock = SystemCacheClock()
    ) {
        self.name = name
        self.embedder = embedder
        self.configuration = configuration
        self.clock = clock
        self.store = CacheLock(
            State(entries: SemanticStore(dimensions: embedder.dimensions, maxEntries: configuration.maxEntries)))
    }

    /// The common case in one line: `MemorySemanticTier(embedder: e, threshold: 0.9)`.
    public convenience init(
        name: String = "semantic-memory", embedder: any Embedder, threshold: Float, maxEntries: Int = 10_000,
        ttl: Duration? = nil, matchGuard: (any SemanticGuard)? = LearnedVerifier(),
        clock: any CacheClock = SystemCacheClock()
    ) {
        self.init(
            name: name, embedder: embedder,
            configuration: .init(threshold: threshold, maxEntries: maxEntries, ttl: ttl, matchGuard: matchGuard),
            clock: clock)
    }

    public func lookup(_ query: CacheQuery) async throws -> CacheHit? {
        guard let text = query.semanticText else { return nil }
        let encoding = try await query.embeddings.encoding(
            of: text, using: embedder, timeout: configuration.embeddingTimeout)
        let now = clock.now
        let (threshold, count) = (configuration.threshold, max(1, configuration.candidates))
        let candidates = store.withLock {
            $0.entries.nearest(
                to: encoding.vector, scope: query.scope, threshold: threshold, now: now,
                version: query.namespaceVersion, count: count)
        }
        for candidate in candidates {
            var confidence: Float?
            if let matchGuard = configuration.matchGuard, let source = candidate.entry.sourceText {
                let judgement = await matchGuard.judge(
                    SemanticComparison(
                        query: text, candidate: source, similarity: candidate.similarity,
                        queryTokens: encoding.tokens, candidateTokens: candidate.entry.sourceTokens))
                guard judgement.allowed else { continue }
                confidence = judgement.confidence
            }
            guard let touched = store.withLock({ $0.entries.touch(key: candidate.key, now: now) }) else { continue }
            return CacheHit(entry: touched, similarity: candidate.similarity, key: candidate.key, confidence: confidence)
        }
        return nil
    }

    @discardableResult
    public func remove(_ entry: EntryReference) -> Bool {
        store.withLock { $0.entries.remove(key: entry.key) }
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery) async throws {
        _ = try await store(entry, for: query, unlessInvalidatedSince: nil)
    }

    public var isInProcess: Bool { true }

    public func invalidationMark() -> InvalidationMark {
        store.withLock { $0.fences.mark }
    }

    @discardableResult
    public func store(_ entry: CacheEntry, for query: CacheQuery, unlessInvalidatedSince mark: InvalidationMark?)
        async throws -> StoreOutcome
    {
        guard let text = query.semanticText else { return .skipped }
        let encoding = try await query.embeddings.encoding(
            of: text, using: embedder, timeout: configuration.embeddingTimeout)
        let now = clock.now
        guard !entry.isExpired(at: now) else { return .skipped }
        let deadline = configuration.ttl.map { now.advanced(by: $0) }
        var entry = entry
        entry.sourceText = text
        entry.sourceTokens = encoding.tokens
        return store.withLock { state in
            guard state.fences.allows(tags: entry.tags, since: mark) else { return .invalidatedMeanwhile }
            state.entries.insert(entry, key: query.key, scope: query.scope, vector: encoding.vector, deadline: deadline)
            return .stored
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
}
