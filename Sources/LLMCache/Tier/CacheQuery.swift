/// Everything a tier needs to look up or store one request.
///
/// Built once per request by the stack, so that the fingerprint is hashed and
/// the semantic text embedded only once, however many tiers are asked.
public struct CacheQuery: Sendable {
    /// The exact key: the digest of the request's canonical fingerprint.
    public let key: CacheKey
    /// The semantic scope: only entries stored with an equal scope may match.
    public let scope: CacheKey
    /// The text semantic tiers compare; `nil` disables semantic matching.
    public let semanticText: String?
    /// The namespace version in force; entries of other versions are misses.
    public let namespaceVersion: UInt64
    /// Embeddings of `semanticText`, computed at most once per embedder.
    public let embeddings: EmbeddingMemo

    public init(
        key: CacheKey, scope: CacheKey, semanticText: String?, namespaceVersion: UInt64,
        embeddings: EmbeddingMemo = EmbeddingMemo()
    ) {
        self.key = key
        self.scope = scope
        self.semanticText = semanticText
        self.namespaceVersion = namespaceVersion
        self.embeddings = embeddings
    }

    /// The query for `request`: fingerprint and scope hashed, `partition`
    /// (a tenant, say) mixed into both so partitions never share answers.
    ///
    /// - Parameter semantic: false skips hashing the scope and reading the
    ///   semantic text, for stacks without a semantic tier (the hit path of
    ///   an exact-only stack then hashes once).
    public init(
        request: some CacheableRequest, partition: String? = nil, namespaceVersion: UInt64 = 0,
        semantic: Bool = true
    ) {
        var keyHasher = FingerprintHasher()
        request.fingerprint(into: &keyHasher)
        if let partition { keyHasher.combine(field: "partition", partition) }
        let key = keyHasher.finalize()
        var scope = key
        if semantic {
            var scopeHasher = FingerprintHasher()
            request.semanticScope(into: &scopeHasher)
            if let partition { scopeHasher.combine(field: "partition", partition) }
            scope = scopeHasher.finalize()
        }
        self.init(
            key: key, scope: scope, semanticText: semantic ? request.semanticText : nil,
            namespaceVersion: namespaceVersion)
    }
}
