/// A stored answer and what the cache knows about it.
public struct CacheEntry: Sendable, Hashable {
    /// How an entry's lifetime is counted.
    public enum Expiration: Sendable, Hashable {
        /// Expires a fixed time after it was stored, however often it is read.
        case fixed
        /// Every hit pushes expiry out to `now + ttl`, so popular answers stay.
        case sliding(ttl: Duration)
    }

    /// The encoded response (see ``CacheValue``).
    public var value: [UInt8]
    /// When the answer was produced.
    public var createdAt: CacheTime
    /// When the answer stops being served; `nil` means only the tiers' own
    /// limits apply.
    public var expiresAt: CacheTime?
    public var expiration: Expiration
    /// Labels for invalidating groups of answers at once.
    public var tags: Set<String>
    /// What the call cost, reported as saved on every hit.
    public var usage: TokenUsage?
    /// The model that produced the answer, to price saved tokens.
    public var model: String?
    /// The semantic text of the request that produced the answer: semantic
    /// tiers embed it, logs and statistics show what a paraphrase matched.
    public var sourceText: String?
    /// The contextual token vectors of ``sourceText``, when the embedder
    /// provides them (``TokenEmbedder``): a verifier aligns a later query
    /// with them without encoding the stored text again.
    public var sourceTokens: TokenVectors?
    /// The namespace version the entry was stored under; entries of another
    /// version are never served.
    public var namespaceVersion: UInt64

    public init(
        value: [UInt8],
        createdAt: CacheTime,
        expiresAt: CacheTime? = nil,
        expiration: Expiration = .fixed,
        tags: Set<String> = [],
        usage: TokenUsage? = nil,
        model: String? = nil,
        sourceText: String? = nil,
        sourceTokens: TokenVectors? = nil,
        namespaceVersion: UInt64 = 0
    ) {
        self.value = value
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.expiration = expiration
        self.tags = tags
        self.usage = usage
        self.model = model
        self.sourceText = sourceText
        self.sourceTokens = sourceTokens
        self.namespaceVersion = namespaceVersion
    }

    /// True once `now` has reached the expiry time.
    public func isExpired(at now: CacheTime) -> Bool {
        guard let expiresAt else { return false }
        return now >= expiresAt
    }

    /// Time left before expiry, `nil` when the entry does not expire; never negative.
    public func remainingTTL(at now: CacheTime) -> Duration? {
        guard let expiresAt else { return nil }
        return max(.zero, now.duration(to: expiresAt))
    }

    /// The entry as a hit at `now` should leave it: a sliding entry's expiry
    /// moves out, a fixed entry's never does.
    public func touched(at now: CacheTime) -> CacheEntry {
        guard case .sliding(let ttl) = expiration else { return self }
        var copy = self
        copy.expiresAt = now.advanced(by: ttl)
        return copy
    }

    /// An estimate of the memory the entry holds, for byte-bounded tiers.
    public var approximateByteCount: Int {
        96 + value.count + (sourceText?.utf8.count ?? 0) + (model?.utf8.count ?? 0)
            + (sourceTokens.map { $0.count * ($0.dimensions + 4) } ?? 0)
            + tags.reduce(0) { $0 + 16 + $1.utf8.count }
    }
}
