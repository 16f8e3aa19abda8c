import Logging
import Synchronization

/// What the stack does with a semantic candidate the tiers' guards allowed.
enum MatchVerdict: Sendable, Hashable {
    case serve
    /// Below the error budget's threshold: ask the model, and learn from
    /// comparing the two answers (free: the request would miss anyway).
    case decline
    /// Above the threshold, but sampled: ask the model and learn (paid).
    case explore
    /// A report or a verification found this entry wrong at this score or higher.
    case refuse

    /// Whether the model's answer is compared with the candidate's.
    var learns: Bool { self == .decline || self == .explore }
}

/// The stack's side of ``SemanticFeedback``: decides each semantic hit,
/// turns compared answers into observations, and counts what it did.
final class FeedbackGate: Sendable {
    let feedback: SemanticFeedback
    let counters = FeedbackCounters()
    private let logger: Logger
    private let budgetState = Mutex(BudgetState())
    /// The seeded generator, used when the budget has a seed.
    private let generator: Mutex<SplitMix64>
    private let seeded: Bool

    /// The pooled observations as last read, their fit, and the recent
    /// requests' candidate scores the serving threshold is chosen over.
    private struct BudgetState {
        var observations: [MatchObservation] = []
        var boundary: MatchBoundary?
        var readAt: ContinuousClock.Instant?
        /// Scores of recent requests' best candidates; NaN for none.
        var window: [Float] = []
        var windowNext = 0
        var threshold: Float?
        /// Whether observations or the window changed since the threshold was chosen.
        var stale = true
        var changesSinceChoice = 0
    }

    init(feedback: SemanticFeedback, logger: Logger) {
        self.feedback = feedback
        self.logger = logger
        self.generator = Mutex(SplitMix64(seed: feedback.errorBudget?.seed ?? 0))
        self.seeded = feedback.errorBudget?.seed != nil
    }

    /// Serve, decline, explore or refuse a candidate matched at `score`.
    func verdict(score: Float, entry: EntryReference) async -> MatchVerdict {
        let budget = feedback.errorBudget
        let own: EntryObservations
        do {
            own = try await feedback.observations.observations(of: entry)
        } catch {
            logger.warning("could not read a semantic entry's observations", metadata: ["error": "\(error)"])
            return budget == nil ? .serve : decline()
        }
        if let refusal = own.refusalScore, score <= refusal {
            counters.refusals.add(1, ordering: .relaxed)
            return .refuse
        }
        guard let budget else { return .serve }
        guard let (pooled, boundary, threshold) = await servingState(budget), let boundary, let threshold,
            pooled.count >= budget.minimumObservations, score >= threshold
        else { return decline() }
        if !own.observations.isEmpty {
            // This answer's own record may make it stricter than the rest.
            let weighted = pooled.map { ($0, 1.0) } + own.observations.map { ($0, budget.entryWeight) }
            let deviations = budget.deviations
            guard let mine = MatchBoundary(fitting: weighted),
                mine.pessimisticErrorProbability(score: score, deviations: deviations)
                    <= boundary.pessimisticErrorProbability(score: threshold, deviations: deviations)
            else { return decline() }
        }
        if draw() < budget.explorationRate {
            counters.explorations.add(1, ordering: .relaxed)
            return .explore
        }
        return .serve
    }

    private func decline() -> MatchVerdict {
        counters.declines.add(1, ordering: .relaxed)
        return .decline
    }

    /// Notes the best candidate (or none) of a request that reached a
    /// semantic tier: the requests the budget's share is counted over.
    func noteSemanticLookup(score: Float?) {
        guard let budget = feedback.errorBudget else { return }
        budgetState.withLock { state in
            let value = score ?? .nan
            if state.window.count < budget.window {
                state.window.append(value)
            } else {
                state.window[state.windowNext] = value
                state.windowNext = (state.windowNext + 1) % budget.window
            }
            state.changesSinceChoice += 1
        }
    }

    /// A uniform draw in [0, 1): seeded when the budget says so.
    func draw() -> Double {
        guard seeded else { return Double.random(in: 0..<1) }
        return generator.withLock { Double.random(in: 0..<1, using: &$0) }
    }

    /// The pooled observations, their fit and the serving threshold; the
    /// observations are read again from the store once
    /// ``ErrorBudget/refreshInterval`` has passed, and the threshold chosen
    /// again after new observations or every 64 requests. `nil` if the
    /// store failed.
    private func servingState(_ budget: ErrorBudget) async -> ([MatchObservation], MatchBoundary?, Float?)? {
        let now = ContinuousClock.now
        let due = budgetState.withLock { $0.readAt.map { $0.duration(to: now) >= budget.refreshInterval } ?? true }
        if due {
            do {
                let observations = try await feedback.observations.pooledObservations()
                budgetState.withLock { state in
                    state.observations = observations
                    state.readAt = now
                    state.stale = true
                }
            } catch {
                logger.warning("could not read pooled match observations", metadata: ["error": "\(error)"])
                return nil
            }
        }
        return budgetState.withLock { state in
            if state.stale {
                state.boundary = MatchBoundary(fitting: state.observations.map { ($0, 1.0) })
            }
            if state.stale || state.changesSinceChoice >= 64 {
                state.threshold = state.boundary?.servingThreshold(
                    scores: state.window.filter { !$0.isNaN }, requests: state.window.count,
                    maximumErrorRate: budget.maximumErrorRate, deviations: budget.deviations)
                state.stale = false
                state.changesSinceChoice = 0
            }
            return (state.observations, state.boundary, state.threshold)
        }
    }

    /// Records `observation` for `entry`, and in this process's copy of the
    /// pool so that the next decision uses it before the pool is read again.
    func record(_ observation: MatchObservation, for entry: EntryReference) async throws {
        try await feedback.observations.record(observation, for: entry)
        counters.observations.add(1, ordering: .relaxed)
        budgetState.withLock { state in
            state.observations.insert(observation, at: 0)
            if state.observations.count > Self.localPoolLimit { state.observations.removeLast() }
            state.stale = true
        }
    }

    /// The most observations kept between two reads of the store.
    static let localPoolLimit = 8192

    /// Compares the model's `fresh` answer with the `stored` one a candidate
    /// offered at `score`, records the result and returns it (`nil` if it
    /// could not be recorded).
    func learn<Value: CacheValue>(stored: Value, fresh: Value, score: Float, entry: EntryReference) async -> Bool? {
        let correct: Bool
        if let storedText = stored.answerText, let freshText = fresh.answerText {
            correct = await feedback.answerEquivalence.equivalent(stored: storedText, fresh: freshText)
        } else {
            correct = (try? stored.cacheEncoded() == fresh.cacheEncoded()) ?? false
        }
        do {
            try await record(MatchObservation(score: score, correct: correct), for: entry)
            return correct
        } catch {
            logger.warning("could not record a match observation", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Whether to verify a served hit now; if true, the caller must call
    /// ``endVerification(correct:)`` when done.
    func beginVerification() -> Bool {
        guard feedback.verificationRate > 0, draw() < feedback.verificationRate else { return false }
        let running = counters.pendingVerifications.add(1, ordering: .relaxed).newValue
        guard running <= feedback.maxPendingVerifications else {
            counters.pendingVerifications.subtract(1, ordering: .relaxed)
            return false
        }
        counters.verifications.add(1, ordering: .relaxed)
        return true
    }

    func endVerification(correct: Bool?) {
        counters.pendingVerifications.subtract(1, ordering: .relaxed)
        if correct == false { counters.verificationMismatches.add(1, ordering: .relaxed) }
    }
}

/// Counts behind ``CacheStatistics/Feedback``.
final class FeedbackCounters: Sendable {
    let explorations = Atomic<Int>(0)
    let declines = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let observations = Atomic<Int>(0)
    let verifications = Atomic<Int>(0)
    let verificationMismatches = Atomic<Int>(0)
    let pendingVerifications = Atomic<Int>(0)
    let wrongReports = Atomic<Int>(0)
    let rightReports = Atomic<Int>(0)

    var snapshot: CacheStatistics.Feedback {
        CacheStatistics.Feedback(
            explorations: explorations.load(ordering: .relaxed), declines: declines.load(ordering: .relaxed),
            refusals: refusals.load(ordering: .relaxed),
            observations: observations.load(ordering: .relaxed), verifications: verifications.load(ordering: .relaxed),
            verificationMismatches: verificationMismatches.load(ordering: .relaxed),
            wrongReports: wrongReports.load(ordering: .relaxed), rightReports: rightReports.load(ordering: .relaxed))
    }
}
