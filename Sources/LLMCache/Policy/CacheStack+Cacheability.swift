import Logging
import Synchronization

extension CacheStack {
    /// The policy in force (``Configuration/cacheabilityPolicy``); `nil` when
    /// every request may use every tier.
    public var cacheabilityPolicy: (any CacheabilityPolicy)? { configuration.cacheabilityPolicy }

    /// The call's override, else the policy's decision; counted and logged.
    func cacheabilityDecision(for request: any CacheableRequest, options: CacheOptions) -> CacheabilityDecision {
        let decision =
            options.cacheability
            ?? configuration.cacheabilityPolicy?.decision(
                for: CacheabilityInput(request: request, partition: options.partition)) ?? .cache
        counters.cacheability.record(decision)
        if let reason = decision.reason {
            logger.debug(
                "request kept from semantic matching",
                metadata: ["decision": "\(decision.kindName)", "reason": "\(reason)"])
        }
        return decision
    }

    /// `options` with `decision` applied: not caching skips lookup and store;
    /// exact-only narrows the tiers to exact ones (so semantic tiers are
    /// neither asked nor written, and such requests share a model call only
    /// with requests stored alike) and caps the lifetime, which then no
    /// longer slides.
    func applying(_ decision: CacheabilityDecision, to options: CacheOptions) -> CacheOptions {
        var options = options
        switch decision {
        case .cache:
            break
        case .doNotCache:
            options.bypassLookup = true
            options.skipStore = true
        case .exactOnly(_, let maxTTL):
            if hasSemanticTier {
                let exact = layers.filter { $0.tier.matching == .exact }.map(\.tier.name)
                options.tierNames = Set(exact.filter { options.tierNames?.contains($0) ?? true })
            }
            if let maxTTL {
                options.ttl = min(options.ttl ?? configuration.defaultTTL ?? maxTTL, maxTTL)
                options.expiration = .fixed
            }
        }
        return options
    }
}

extension CacheabilityDecision {
    /// "cache", "exact-only" or "do-not-cache", for logs and statistics.
    var kindName: String {
        switch self {
        case .cache: "cache"
        case .exactOnly: "exact-only"
        case .doNotCache: "do-not-cache"
        }
    }
}

/// The stack's counts of cacheability decisions.
final class CacheabilityCounters: Sendable {
    private let exactOnly = Atomic<Int>(0)
    private let doNotCache = Atomic<Int>(0)
    private let reasons = CacheLock([String: Int]())

    func record(_ decision: CacheabilityDecision) {
        switch decision {
        case .cache: return
        case .exactOnly: exactOnly.add(1, ordering: .relaxed)
        case .doNotCache: doNotCache.add(1, ordering: .relaxed)
        }
        if let kind = decision.reason?.kind.name { reasons.withLock { $0[kind, default: 0] += 1 } }
    }

    func snapshot() -> CacheStatistics.Cacheability {
        CacheStatistics.Cacheability(
            exactOnly: exactOnly.load(ordering: .relaxed), doNotCache: doNotCache.load(ordering: .relaxed),
            byReason: reasons.withLock { $0 })
    }
}
