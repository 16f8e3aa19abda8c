/// A semantic hit's provenance: which earlier answer served the request, and
/// how confident the match was. What feedback on the answer is recorded against.
public struct SemanticMatch: Sendable, Hashable {
    /// The earlier answer that was served.
    public var entry: EntryReference
    /// The match score (the guard's confidence, else the cosine similarity).
    public var score: Float

    public init(entry: EntryReference, score: Float) {
        self.entry = entry
        self.score = score
    }

    /// The match `hit` made for `query`; `nil` for an exact hit, or a
    /// semantic tier that does not name its entries.
    init?(hit: CacheHit, query: CacheQuery) {
        guard let score = hit.matchScore, let key = hit.key else { return nil }
        self.init(entry: EntryReference(key: key, scope: query.scope, namespaceVersion: query.namespaceVersion), score: score)
    }
}

/// A candidate the error budget sent to the model instead of serving: its
/// answer is compared with the model's once that arrives.
struct DeclinedMatch<Value: CacheValue>: Sendable {
    var value: Value
    var match: SemanticMatch
}
