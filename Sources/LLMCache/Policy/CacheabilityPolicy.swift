/// Decides, per request and before any lookup, whether the request may be
/// answered from the cache normally, by exact match only, or not at all.
///
/// Why a policy of the stack rather than a flag per call: the questions that
/// must not meet semantic matching (personal ones, time-sensitive ones) come
/// from end users, and whoever wraps the model rarely knows in advance which
/// calls carry them. ``DefaultCacheabilityPolicy`` is the stack's default;
/// set ``CacheStack/Configuration/cacheabilityPolicy`` to your own type (or
/// to `nil` for no policy), and ``CacheOptions/cacheability`` still wins for
/// a single call.
///
/// The stack calls ``decision(for:)`` on every request, on the caller's
/// task, before it hashes anything into a tier: keep it fast and free of I/O.
public protocol CacheabilityPolicy: Sendable {
    /// What `input` may do with the cache.
    func decision(for input: CacheabilityInput) -> CacheabilityDecision
}

extension CacheabilityPolicy {
    /// The decision for a bare prompt (handy in tests and when trying rules).
    public func decision(forText text: String, partition: String? = nil) -> CacheabilityDecision {
        decision(for: CacheabilityInput(request: text, partition: partition))
    }
}

/// What a ``CacheabilityPolicy`` sees of a request.
///
/// A struct rather than parameters, so that what a policy may look at can
/// grow without breaking policies already written.
public struct CacheabilityInput: Sendable {
    /// The request as the caller passed it (a `ChatRequest`, a `String`…):
    /// a policy of your own may look at more than the text, e.g. the model.
    public var request: any CacheableRequest
    /// The text semantic tiers would compare: the request's
    /// ``CacheableRequest/semanticText`` (for a `ChatRequest`, its last user
    /// message), or `nil` when the request is never matched semantically.
    public var text: String?
    /// The call's ``CacheOptions/partition``: the boundary exact and
    /// semantic matches stay inside (a tenant, ideally a user).
    public var partition: String?

    /// What a policy sees of `request` made with `partition`.
    public init(request: some CacheableRequest, partition: String? = nil) {
        self.request = request
        self.text = request.semanticText
        self.partition = partition
    }
}
