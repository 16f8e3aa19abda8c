/// One layer of a ``CacheStack``: somewhere answers can be found and kept.
///
/// Deliberately small, so that a new backing store is a few methods. A tier
/// may throw from any method; the stack turns that into a miss for this tier,
/// logs and counts it, and trips the tier's circuit breaker if it keeps failing.
public protocol CacheTier: Sendable {
    /// A short name for logs, metrics and statistics (e.g. `"memory"`).
    var name: String { get }

    /// Whether the tier finds answers by exact key or by similarity.
    var matching: TierMatching { get }

    /// The answer stored for `query`, or `nil`.
    ///
    /// Must never return an expired entry, nor one of another namespace version.
    func lookup(_ query: CacheQuery) async throws -> CacheHit?

    /// Keeps `entry` as the answer to `query` until `entry.expiresAt` at the
    /// latest; a tier may keep it for less (its own TTL, its size bound).
    func store(_ entry: CacheEntry, for query: CacheQuery) async throws

    /// Removes every entry carrying any of `tags`; returns how many it removed.
    @discardableResult
    func invalidate(tags: Set<String>) async throws -> Int

    /// Removes every entry of this tier.
    func removeAll() async throws

    /// Removes the one answer `entry` names, if this tier holds it; returns
    /// whether it did. How a wrong answer reported by a user leaves the
    /// cache (see ``CacheStack/reportWrongAnswer(for:)``).
    ///
    /// - Throws: `CacheError` `.unsupportedOperation` from a tier that does
    ///   not implement it (the default), besides the tier's own failures.
    @discardableResult
    func remove(_ entry: EntryReference) async throws -> Bool

    /// Told when the stack sees a new namespace version, so a tier can drop
    /// entries that can no longer be served (a tier whose key names carry the
    /// version can do nothing here).
    func namespaceVersionDidChange(to version: UInt64) async

    /// True for a tier in this process's memory. The stack writes such tiers
    /// before it returns an answer (a repeated request then hits at once) and
    /// writes every other tier in the background, so that a slow or stalled
    /// server never delays an answer the model has already given.
    var isInProcess: Bool { get }
}

extension CacheTier {
    public var isInProcess: Bool { false }

    public func remove(_ entry: EntryReference) async throws -> Bool {
        throw CacheError(.unsupportedOperation, "tier '\(name)' cannot remove single entries")
    }
}

/// A tier that refuses to store an answer invalidated while it was
/// computed (see ``InvalidationMark``). Every tier shipped here is one; a
/// tier of your own that does not adopt it is written without the check.
public protocol FencedCacheTier: CacheTier {
    /// Where this tier stands in its invalidation history now, taken before
    /// a computation starts.
    func invalidationMark() async throws -> InvalidationMark

    /// Stores `entry` unless one of its tags, or the whole tier, was
    /// invalidated after `mark` (`nil`: store unconditionally). The check
    /// and the write must be one atomic step.
    func store(_ entry: CacheEntry, for query: CacheQuery, unlessInvalidatedSince mark: InvalidationMark?)
        async throws -> StoreOutcome
}

/// How a tier matches requests.
public enum TierMatching: Sendable, Hashable {
    /// Only the identical request (same fingerprint) matches.
    case exact
    /// A request whose semantic text is similar enough, in the same scope, matches.
    case semantic
}

/// A tier's answer to a lookup.
public struct CacheHit: Sendable {
    /// The stored entry, already touched (sliding expiry moved) by the tier.
    public var entry: CacheEntry
    /// Cosine similarity in [-1, 1] for a semantic hit; `nil` for an exact one.
    public var similarity: Float?
    /// The exact key the entry is stored under: the query's own for an exact
    /// hit, the earlier request's for a semantic one; `nil` if the tier does
    /// not say. Feedback on the answer needs it.
    public var key: CacheKey?
    /// The guard's probability that the match is right (see
    /// ``SemanticGuard/judge(_:)``), when it gives one.
    public var confidence: Float?

    public init(entry: CacheEntry, similarity: Float? = nil, key: CacheKey? = nil, confidence: Float? = nil) {
        self.entry = entry
        self.similarity = similarity
        self.key = key
        self.confidence = confidence
    }

    /// What an error budget weighs: the guard's confidence, else the similarity.
    var matchScore: Float? { similarity.map { confidence ?? $0 } }
}
