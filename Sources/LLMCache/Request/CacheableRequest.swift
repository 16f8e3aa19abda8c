/// What the cache needs to know about a request.
///
/// A conforming type answers three questions: which requests must get the
/// same answer (the fingerprint), which text a semantic tier should compare
/// (the semantic text), and inside which boundary two paraphrases may share
/// an answer at all (the semantic scope).
public protocol CacheableRequest: Sendable {
    /// Feeds every part of the request that changes the answer into `hasher`,
    /// in a canonical form: equivalent requests (different key order, `0.7`
    /// written as `0.70`, a default written out or left out) must feed the
    /// same bytes, and requests that can get different answers must not.
    func fingerprint(into hasher: inout FingerprintHasher)

    /// The text a semantic tier embeds and compares, or `nil` when this
    /// request must never be answered by a paraphrase.
    var semanticText: String? { get }

    /// Feeds the boundary of semantic matching into `hasher`: only requests
    /// whose scopes hash equal may share an answer by similarity.
    func semanticScope(into hasher: inout FingerprintHasher)
}

extension String: CacheableRequest {
    public func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "prompt", self)
    }

    public var semanticText: String? { self }

    /// A bare prompt carries no model or conversation, so every plain string
    /// shares one scope (narrowed further by the per-call partition).
    public func semanticScope(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "scope", "string")
    }
}
