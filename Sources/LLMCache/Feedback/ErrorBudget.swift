/// Semantic hits governed by the share of wrong answers a user accepts,
/// instead of by a similarity threshold.
///
/// With a budget, a semantic candidate the tiers' guards allow is served only
/// if its score (the guard's confidence, else the similarity) reaches a
/// threshold the budget keeps learning: labelled observations give the chance
/// that a match at each score is wrong (``MatchBoundary``, read
/// pessimistically at ``confidenceLevel``), and the threshold is the lowest
/// at which serving every recent request's candidate above it would have
/// served wrong answers to at most ``maximumErrorRate`` of those requests.
///
/// Labels come cheaply. A candidate below the threshold is a miss: the model
/// answers anyway, and its answer is compared with the candidate's
/// (``SemanticFeedback/answerEquivalence``), which adds an observation at no
/// extra call. Above the threshold, a share ``explorationRate`` is still
/// sent to the model and compared — the *explorations*, the budget's cost —
/// so that the curve keeps being checked where the cache serves.
///
/// Until ``minimumObservations`` pooled observations exist nothing is served
/// from a similarity match: the budget cannot be kept on no evidence.
public struct ErrorBudget: Sendable {
    /// δ: the largest acceptable share of requests (among those that reach
    /// a semantic tier) served a wrong answer by a semantic match. 1%.
    public var maximumErrorRate: Double
    /// Pooled observations (right and wrong) needed before any semantic
    /// hit is served.
    public var minimumObservations: Int
    /// The share of requests above the threshold sent to the model anyway,
    /// to keep learning where the cache serves. 5%.
    public var explorationRate: Double
    /// How sure the estimate of the chance of a wrong match must be: the
    /// curve is read with its boundary at this one-sided upper confidence
    /// level. 95%.
    public var confidenceLevel: Double
    /// How many recent requests the threshold is chosen over.
    public var window: Int
    /// How much one of an entry's own observations counts against one of
    /// the pool's when its curve is fitted: an answer that attracts wrong
    /// matches becomes stricter than the rest.
    public var entryWeight: Double
    /// How long the pooled observations are reused before they are read
    /// again (they may live in Redis, shared by every process).
    public var refreshInterval: Duration
    /// A seed for the exploration draws, for reproducible simulations; `nil`
    /// draws from the system's generator.
    public var seed: UInt64?

    public init(
        maximumErrorRate: Double = 0.01, minimumObservations: Int = 30, explorationRate: Double = 0.05,
        confidenceLevel: Double = 0.95, window: Int = 4096, entryWeight: Double = 8,
        refreshInterval: Duration = .seconds(5), seed: UInt64? = nil
    ) {
        self.maximumErrorRate = maximumErrorRate
        self.minimumObservations = minimumObservations
        self.explorationRate = explorationRate
        self.confidenceLevel = confidenceLevel
        self.window = max(1, window)
        self.entryWeight = entryWeight
        self.refreshInterval = refreshInterval
        self.seed = seed
    }

    /// ``confidenceLevel`` as standard deviations of a normal estimate.
    var deviations: Double { MatchBoundary.normalQuantile(min(max(confidenceLevel, 0.5), 0.999_999)) }
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
