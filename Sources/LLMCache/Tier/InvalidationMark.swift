/// A point in a tier's invalidation history, taken just before an answer's
/// computation starts.
///
/// Why: a model call that started before `invalidate(tags:)` (or a flush)
/// returned computes an answer from data the caller has just declared stale.
/// Storing it afterwards would resurrect what the invalidation removed. The
/// stack takes a mark from every tier before it calls the model and hands it
/// back with the store, and the tier refuses the store if any of the entry's
/// tags (or the whole tier) was invalidated after the mark — atomically with
/// the write, so no interleaving lets a stale answer through.
public struct InvalidationMark: Sendable, Hashable {
    /// The tier's invalidation counter when the mark was taken: every
    /// invalidation moves it forward.
    public var epoch: UInt64
    /// When the mark was taken, in this process; tiers that forget old
    /// invalidations after a while refuse marks older than that.
    public var takenAt: ContinuousClock.Instant

    public init(epoch: UInt64, takenAt: ContinuousClock.Instant = .now) {
        self.epoch = epoch
        self.takenAt = takenAt
    }
}

/// What became of one store.
public enum StoreOutcome: Sendable, Hashable {
    /// The entry is in the tier.
    case stored
    /// The tier chose not to keep it (already expired, too large, no text to embed…).
    case skipped
    /// One of the entry's tags, or the whole tier, was invalidated after the
    /// mark was taken: the answer is stale and was not stored.
    case invalidatedMeanwhile
}
