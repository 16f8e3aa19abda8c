/// Semantic hits governed by the share of wrong answers a user accepts,
/// instead of by a similarity threshold.
///
/// With a budget, a semantic candidate the tiers' guards allow is not served
/// outright: the budget looks at labelled observations (pooled over all
/// entries, plus the entry's own) and serves it with a probability that keeps
/// the chance of a wrong answer within ``maximumErrorRate`` (see
/// ``MatchBoundary``). Otherwise the request goes to the model — an
/// *exploration* — and the model's answer is compared with the stored one
/// (``SemanticFeedback/answerEquivalence``), which adds an observation. The
/// more the cache has seen, the more it serves.
///
/// Until ``minimumObservations`` pooled observations exist nothing is served
/// from a similarity match: the bound cannot be kept on no evidence. A
/// candidate with no match above the guards is a miss as before.
public struct ErrorBudget: Sendable {
    /// δ: the largest acceptable chance that a request is served a wrong
    /// answer by a semantic match. 1% by default.
    public var maximumErrorRate: Double
    /// Pooled observations (right and wrong ones) needed before any
    /// semantic hit is served.
    public var minimumObservations: Int
    /// How much one of an entry's own observations counts against one of
    /// the pool's when its boundary is fitted: an answer that attracts wrong
    /// matches becomes stricter than the rest.
    public var entryWeight: Double
    /// How long the pooled fit is reused before the observations are read
    /// again (they may live in Redis, shared by every process).
    public var refreshInterval: Duration
    /// A seed for the serve-or-explore draws, for reproducible simulations;
    /// `nil` draws from the system's generator.
    public var seed: UInt64?

    public init(
        maximumErrorRate: Double = 0.01, minimumObservations: Int = 30, entryWeight: Double = 8,
        refreshInterval: Duration = .seconds(5), seed: UInt64? = nil
    ) {
        self.maximumErrorRate = maximumErrorRate
        self.minimumObservations = minimumObservations
        self.entryWeight = entryWeight
        self.refreshInterval = refreshInterval
        self.seed = seed
    }
}

/// How the stack learns whether its semantic hits are right: observations,
/// an optional error budget, sampled verification and the answer comparison
/// they all use.
public struct SemanticFeedback: Sendable {
    /// Serve semantic hits within an error rate (see ``ErrorBudget``); `nil`
    /// serves whatever the tiers' guards allow.
    public var errorBudget: ErrorBudget?
    /// The share of served semantic hits that are also computed by the model
    /// in the background and compared, each comparison an observation (and a
    /// wrong one retracts the hit's copies). Only requests through
    /// ``CacheStack/wrap(_:)`` or a `response` call given a `verifier` can be
    /// sampled. 0 by default: each sample is a paid model call.
    public var verificationRate: Double
    /// Where observations are kept; share one through Redis so that every
    /// process learns from every other.
    public var observations: any ObservationStore
    /// Decides whether a fresh answer and a stored one say the same.
    public var answerEquivalence: any AnswerEquivalence
    /// The most background verifications running at once; further samples are skipped.
    public var maxPendingVerifications: Int

    public init(
        errorBudget: ErrorBudget? = nil, verificationRate: Double = 0,
        observations: any ObservationStore = MemoryObservationStore(),
        answerEquivalence: any AnswerEquivalence = NormalizedAnswerEquivalence(), maxPendingVerifications: Int = 16
    ) {
        self.errorBudget = errorBudget
        self.verificationRate = verificationRate
        self.observations = observations
        self.answerEquivalence = answerEquivalence
        self.maxPendingVerifications = maxPendingVerifications
    }
}
