/// How one request may use the cache, decided before any tier is asked.
///
/// Why: some questions must not be answered by a paraphrase at all. A
/// paraphrase of yesterday's "what is the weather today" or of another
/// user's "where is my order" is a wrong answer by construction, however
/// close the vectors are. A ``CacheabilityPolicy`` decides this per request;
/// ``CacheOptions/cacheability`` overrides it per call, and
/// ``CacheResult/cacheability`` tells the caller what was decided.
public enum CacheabilityDecision: Sendable, Hashable {
    /// Every selected tier, semantic ones included.
    case cache
    /// Exact tiers only: semantic tiers are neither asked nor written for
    /// this request, so only the identical request (same fingerprint and
    /// partition) is ever served its answer. `maxTTL`, when set, caps the
    /// stored lifetime and makes it fixed (a hit never extends it).
    case exactOnly(CacheabilityReason, maxTTL: Duration? = nil)
    /// No tier is asked and nothing is stored: the model answers every time.
    case doNotCache(CacheabilityReason)

    /// Why semantic matching was not attempted; `nil` for ``cache``.
    public var reason: CacheabilityReason? {
        switch self {
        case .cache: nil
        case .exactOnly(let reason, _), .doNotCache(let reason): reason
        }
    }

    /// Whether semantic tiers may answer or keep this request's answer.
    public var allowsSemanticMatching: Bool { self == .cache }

    /// The stricter of two decisions: not caching beats exact-only, which
    /// beats caching; between two exact-only decisions the shorter cap wins.
    public func combined(with other: CacheabilityDecision) -> CacheabilityDecision {
        switch (self, other) {
        case (.doNotCache, _), (_, .cache): return self
        case (_, .doNotCache), (.cache, _): return other
        case (.exactOnly(let reason, let cap), .exactOnly(_, let otherCap)):
            let caps = [cap, otherCap].compactMap { $0 }
            return .exactOnly(reason, maxTTL: caps.min())
        }
    }
}

/// Why a request was kept away from semantic matching (or from the cache):
/// a kind for counting and a trigger for logs.
public struct CacheabilityReason: Sendable, Hashable, CustomStringConvertible {
    /// A family of reasons; an open set, so a policy of your own can add its
    /// own kinds without breaking anyone's `switch`.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// The name statistics count it under (e.g. `"personal"`).
        public let name: String

        /// A kind of your own; two kinds with the same name are the same kind.
        public init(_ name: String) { self.name = name }

        /// About one user's own data ("my order", "my balance"): another
        /// user's answer, or a paraphrase of it, would be wrong or a leak.
        public static let personal = Kind("personal")
        /// About the present ("today", "latest", a date or a clock time): a
        /// stored answer goes stale, and a paraphrase may be about another day.
        public static let timeSensitive = Kind("time-sensitive")
        /// Set by the caller through ``CacheOptions/cacheability``.
        public static let caller = Kind("caller")

        public var description: String { name }
    }

    /// The family, for counting (``CacheStatistics/Cacheability/byReason``).
    public var kind: Kind
    /// What in the request fired the rule ("my order", "today",
    /// "2024-05-01"), for logs and debugging; `nil` when nothing specific did.
    public var trigger: String?

    /// A reason of `kind`, optionally naming the words that fired it.
    public init(_ kind: Kind, trigger: String? = nil) {
        self.kind = kind
        self.trigger = trigger
    }

    /// `personal ("my order")`, for logs.
    public var description: String { trigger.map { "\(kind) (\"\($0)\")" } ?? kind.description }
}
