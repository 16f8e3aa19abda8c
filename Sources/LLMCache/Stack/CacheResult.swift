/// An answer and where it came from, for callers who want to show or log it.
public struct CacheResult<Value: Sendable>: Sendable {
    /// Where an answer came from.
    public enum Source: Sendable, Hashable {
        /// A tier had it; `similarity` is set for a semantic hit.
        case tier(name: String, similarity: Float?, matchedText: String?)
        /// The wrapped closure ran for this request.
        case computed
        /// Another identical request was already calling the model; this one shared its answer.
        case coalesced
    }

    public var value: Value
    public var source: Source
    /// Time spent inside the stack for this request, model call included.
    public var latency: Duration
    /// What the cacheability policy (or ``CacheOptions/cacheability``)
    /// decided for this request: its reason says why no similarity match was
    /// attempted, or why the cache was not used at all.
    public var cacheability: CacheabilityDecision = .cache
    /// Where this request's answer is kept under its own key (a hit is
    /// copied there too): what ``CacheStack/reportWrongAnswer(for:)``
    /// removes. `nil` when the cache was not used.
    public var entry: EntryReference?
    /// For a semantic hit, the earlier answer that served it and the score
    /// of the match.
    public var match: SemanticMatch?
    /// For a hit, how long ago the served answer was computed (by the
    /// stack's clock): what an HTTP `Age` header reports.
    public var age: Duration?

    /// True when the model was not called for this request.
    public var isCacheHit: Bool {
        if case .tier = source { return true }
        return false
    }
}
