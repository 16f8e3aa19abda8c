/// An error by which a tier says that only part of it failed (one shard of
/// a clustered store, say) while the rest still serves.
///
/// Why: the stack's ``CircuitBreaker`` stops asking a tier that keeps
/// failing. When one shard of three is down, a third of the lookups fail,
/// and a breaker counting them would soon stop the two shards that work as
/// well. The stack counts a partial failure as the tier's error but not
/// against its breaker; failing fast for the broken part is the tier's own
/// business (the Redis cluster client keeps a breaker per node).
public protocol PartialTierFailure: Error {
    /// Whether this error concerns only part of the tier.
    var isPartial: Bool { get }
}
