import Logging
import Synchronization

/// What the stack does with a semantic candidate the tiers' guards allowed.
enum MatchVerdict: Sendable, Hashable {
    case serve
    /// Ask the model instead and learn from comparing the two answers.
    case explore
    /// A report or a verification found this entry wrong at this score or higher.
    case refuse
}

/// The stack's side of ``SemanticFeedback``: decides each semantic hit,
/// turns compared answers into observations, and counts what it did.
final class FeedbackGate: Sendable {
    let feedback: SemanticFeedback
    let counters = FeedbackCounters()
    private let logger: Logger
    private let pool = Mutex(PooledFit())
    /// The seeded generator's state, when the budget has a seed.
    private let generator: Mutex<UInt64>
    private let seeded: Bool

    /// The pooled observations as last read, and their fit.
    private struct PooledFit {
        var observations: [MatchObservation] = []
        var boundary: MatchBoundary?
        var readAt: ContinuousClock.Instant?
        var stale = true
    }

    init(feedback: SemanticFeedback, logger: Logger) {
        self.feedback = feedback
        self.logger = logger
        self.generator = Mutex(feedback.errorBudget?.seed ?? 0)
        self.seeded = feedback.errorBudget?.seed != nil
    }

    /// Serve, explore or refuse a candidate matched at `score`.
    func verdict(score: Float, entry: EntryReference) async -> MatchVerdict {
        let budget = feedback.errorBudget
        let own: EntryObservations
        do {
            own = try await feedback.observations.observations(of: entry)
        } catch {
            logger.warning("could not read a semantic entry's observations", metadata: ["error": "\(error)"])
            return budget == nil ? .serve : explore()
        }
        if let refusal = own.refusalScore, score <= refusal {
            counters.refusals.add(1, ordering: .relaxed)
            return .refuse
        }
        guard let budget else { return .serve }
        guard let pooled = await pooledFit(budget), pooled.observations.count >= budget.minimumObservations else {
            return explore()
        }
        var boundary = pooled.boundary
        if !own.observations.isEmpty {
            let weighted = pooled.observations.map { ($0, 1.0) } + own.observations.map { ($0, budget.entryWeight) }
            boundary = MatchBoundary(fitting: weighted)
        }
        guard let boundary else { return explore() }
        let exploration = boundary.explorationProbability(score: score, maximumErrorRate: budget.maximumErrorRate)
        return draw() < exploration ? explore() : .serve
    }

    private func explore() -> MatchVerdict {
        counters.explorations.add(1, ordering: .relaxed)
        return .explore
    }

    /// A uniform draw in [0, 1): seeded when the budget says so.
    func draw() -> Double {
        guard seeded else { return Double.random(in: 0..<1) }
        return generator.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    /// The pooled observations and their fit, read again from the store once
    /// ``ErrorBudget/refreshInterval`` has passed; `nil` if the store failed.
    private func pooledFit(_ budget: ErrorBudget) async -> (observations: [MatchObservation], boundary: MatchBoundary?)? {
        let now = ContinuousClock.now
        let due = pool.withLock { $0.readAt.map { $0.duration(to: now) >= budget.refreshInterval } ?? true }
        if due {
            do {
                let observations = try await feedback.observations.pooledObservations()
                pool.withLock { $0 = PooledFit(observations: observations, readAt: now) }
            } catch {
                logger.warning("could not read pooled match observations", metadata: ["error": "\(error)"])
                return nil
            }
        }
        return pool.withLock { fit in
            if fit.stale {
                fit.boundary = MatchBoundary(fitting: fit.observations.map { ($0, 1.0) })
                fit.stale = false
            }
            return (fit.observations, fit.boundary)
        }
    }

    /// Records `observation` for `entry`, and in this process's copy of the
    /// pool so that the next decision uses it before the pool is read again.
    func record(_ observation: MatchObservation, for entry: EntryReference) async throws {
        try await feedback.observations.record(observation, for: entry)
        counters.observations.add(1, ordering: .relaxed)
        pool.withLock { fit in
            fit.observations.insert(observation, at: 0)
            fit.stale = true
        }
    }

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
    /// ``endVerification()`` when done.
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
    let refusals = Atomic<Int>(0)
    let observations = Atomic<Int>(0)
    let verifications = Atomic<Int>(0)
    let verificationMismatches = Atomic<Int>(0)
    let pendingVerifications = Atomic<Int>(0)
    let wrongReports = Atomic<Int>(0)
    let rightReports = Atomic<Int>(0)

    var snapshot: CacheStatistics.Feedback {
        CacheStatistics.Feedback(
            explorations: explorations.load(ordering: .relaxed), refusals: refusals.load(ordering: .relaxed),
            observations: observations.load(ordering: .relaxed), verifications: verifications.load(ordering: .relaxed),
            verificationMismatches: verificationMismatches.load(ordering: .relaxed),
            wrongReports: wrongReports.load(ordering: .relaxed), rightReports: rightReports.load(ordering: .relaxed))
    }
}
