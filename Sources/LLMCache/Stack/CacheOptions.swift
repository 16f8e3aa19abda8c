/// Per-call choices that change how one request uses the cache.
///
/// Pass them to ``CacheStack/response(for:options:compute:)`` or set them for
/// a whole block of code with ``withCacheOptions(_:operation:)``, which reaches
/// calls made through a wrapped closure without changing its signature.
public struct CacheOptions: Sendable {
    /// How a stored answer's lifetime is counted.
    public enum ExpirationMode: Sendable, Hashable {
        /// Expires `ttl` after it was stored.
        case fixed
        /// Every hit moves expiry to `ttl` from now.
        case sliding
    }

    /// Skip every tier and call the model, e.g. to refresh an answer. The new
    /// answer is still stored unless ``skipStore`` is set.
    public var bypassLookup = false
    /// Do not store this answer (e.g. it holds personal data).
    public var skipStore = false
    /// The lifetime of the stored answer; `nil` uses the stack's default.
    public var ttl: Duration?
    public var expiration: ExpirationMode = .fixed
    /// Labels to invalidate this answer by, later.
    public var tags: Set<String> = []
    /// A tenant or any other boundary: requests in different partitions never
    /// share an answer, exactly or semantically.
    public var partition: String?
    /// Only consult and fill the tiers with these names; `nil` means all.
    public var tierNames: Set<String>?
    /// Also store answers the model did not finish (see
    /// ``CacheValue/incompleteReason``: cut off by `max_tokens`, filtered).
    /// Off by default: such an answer is rarely what the next caller wants,
    /// and a paraphrase that allows more tokens would be served the stub.
    public var storeIncompleteAnswers = false
    /// Overrides the stack's ``CacheStack/Configuration/cacheabilityPolicy``
    /// for this call, e.g. `.cache` for a question you know is timeless, or
    /// `.exactOnly(CacheabilityReason(.caller))` for one you know is not;
    /// `nil` lets the policy decide.
    public var cacheability: CacheabilityDecision?

    public init(
        bypassLookup: Bool = false, skipStore: Bool = false, ttl: Duration? = nil,
        expiration: ExpirationMode = .fixed, tags: Set<String> = [], partition: String? = nil,
        tierNames: Set<String>? = nil, storeIncompleteAnswers: Bool = false,
        cacheability: CacheabilityDecision? = nil
    ) {
        self.bypassLookup = bypassLookup
        self.skipStore = skipStore
        self.ttl = ttl
        self.expiration = expiration
        self.tags = tags
        self.partition = partition
        self.tierNames = tierNames
        self.storeIncompleteAnswers = storeIncompleteAnswers
        self.cacheability = cacheability
    }

    /// What decides how an answer is stored; requests share a model call
    /// (single-flight) only when these agree, so that every caller's answer
    /// is stored with exactly its own tags and lifetime.
    var storePolicy: StorePolicy {
        StorePolicy(
            skipStore: skipStore, ttl: ttl, expiration: expiration, tags: tags, tierNames: tierNames,
            storeIncompleteAnswers: storeIncompleteAnswers)
    }

    /// The options in force for the current task.
    @TaskLocal public static var current = CacheOptions()
}

/// Runs `operation` with `options` in force for every cached call it makes.
public func withCacheOptions<T>(
    _ options: CacheOptions, operation: () async throws -> T,
    isolation: isolated (any Actor)? = #isolation
) async rethrows -> T {
    try await CacheOptions.$current.withValue(options, operation: operation, isolation: isolation)
}

/// The parts of ``CacheOptions`` that change what is stored, as a flight key part.
struct StorePolicy: Hashable, Sendable {
    var skipStore: Bool
    var ttl: Duration?
    var expiration: CacheOptions.ExpirationMode
    var tags: Set<String>
    var tierNames: Set<String>?
    var storeIncompleteAnswers: Bool
}
