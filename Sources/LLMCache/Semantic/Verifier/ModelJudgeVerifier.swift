import Synchronization

/// A verifier that asks a language model — the user's own chat closure —
/// whether two questions want the same answer.
///
/// The most accurate check there is, and the most expensive: a model call per
/// candidate. So it asks only about candidates a cheaper verifier has
/// already allowed (``prefilter``, the shipped ``LearnedVerifier`` by
/// default), within a time budget, and fails closed: a judge that errs, times
/// out or answers anything but yes refuses the match, which costs a model
/// call for the request instead of a wrong answer.
///
/// ```swift
/// let judge = ModelJudgeVerifier(timeBudget: .seconds(2)) { prompt in
///     try await chat.complete(prompt)   // any closure from a prompt to the model's reply
/// }
/// configuration.matchGuard = judge
/// ```
public struct ModelJudgeVerifier: SemanticGuard {
    /// Sends a prompt to a model and returns its reply.
    public typealias Judge = @Sendable (_ prompt: String) async throws -> String

    private let judge: Judge
    /// The longest a judgement may take; past it the match is refused.
    public var timeBudget: Duration
    /// Asked first; the judge sees only candidates it allows. `nil` sends
    /// every candidate above the threshold to the judge.
    public var prefilter: (any SemanticGuard)?
    /// Serve the match when the judge fails or runs out of time (fail open)
    /// instead of refusing it. Off by default.
    public var allowsOnFailure: Bool
    private let counters = Counters()

    public init(
        timeBudget: Duration = .seconds(2), prefilter: (any SemanticGuard)? = LearnedVerifier(),
        allowsOnFailure: Bool = false, judge: @escaping Judge
    ) {
        self.judge = judge
        self.timeBudget = timeBudget
        self.prefilter = prefilter
        self.allowsOnFailure = allowsOnFailure
    }

    /// Judgements asked of the model so far, and how many failed or timed out.
    public var judgements: (asked: Int, failed: Int) {
        (counters.asked.load(ordering: .relaxed), counters.failed.load(ordering: .relaxed))
    }

    /// The prompt the judge receives: both questions, and the instruction to
    /// answer with one word.
    public static func prompt(query: String, candidate: String) -> String {
        """
        Two users asked an assistant these questions. Would one correct answer serve both, word for word? \
        Questions that differ in a number, a unit, a name, a negation, a direction or who does what to whom \
        need different answers.
        Question 1: \(candidate)
        Question 2: \(query)
        Reply with exactly one word: YES or NO.
        """
    }

    public func allows(query: String, candidate: String, similarity: Float) async -> Bool {
        await allows(SemanticComparison(query: query, candidate: candidate, similarity: similarity))
    }

    public func allows(_ comparison: SemanticComparison) async -> Bool {
        await judge(comparison).allowed
    }

    /// The model's verdict, with the prefilter's confidence (an error
    /// budget weighs that, since a yes or no has no degrees).
    public func judge(_ comparison: SemanticComparison) async -> MatchJudgement {
        var confidence: Float?
        if let prefilter {
            let first = await prefilter.judge(comparison)
            guard first.allowed else { return first }
            confidence = first.confidence
        }
        return MatchJudgement(allowed: await asksModel(comparison), confidence: confidence)
    }

    private func asksModel(_ comparison: SemanticComparison) async -> Bool {
        counters.asked.add(1, ordering: .relaxed)
        let reply = await Self.withinBudget(timeBudget) { [judge] in
            try await judge(Self.prompt(query: comparison.query, candidate: comparison.candidate))
        }
        guard let reply else {
            counters.failed.add(1, ordering: .relaxed)
            return allowsOnFailure
        }
        let word = reply.uppercased().split(whereSeparator: { !$0.isLetter }).first
        return word == "YES"
    }

    /// The result of `work`, or `nil` when it throws or `budget` passes
    /// first; the work is then cancelled, not awaited.
    static func withinBudget(_ budget: Duration, _ work: @escaping @Sendable () async throws -> String) async
        -> String?
    {
        let race = Race()
        return await withCheckedContinuation { continuation in
            race.start(continuation)
            let timer = Task {
                do { try await Task.sleep(for: budget) } catch { return }  // the work finished first
                race.finish(nil)
                race.cancelWork()
            }
            race.setWork(
                Task {
                    race.finish(try? await work())
                    timer.cancel()
                })
        }
    }

    /// The one continuation a judgement resumes, whichever of the work and
    /// the timer ends first, and the work to cancel when the timer wins.
    private final class Race: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<String?, Never>?, work: Task<Void, Never>?)>(
            (nil, nil))

        func start(_ continuation: CheckedContinuation<String?, Never>) {
            state.withLock { $0.continuation = continuation }
        }

        func setWork(_ task: Task<Void, Never>) {
            state.withLock { $0.work = task }
        }

        func finish(_ value: String?) {
            let continuation = state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: value)
        }

        func cancelWork() {
            state.withLock { $0.work }?.cancel()
        }
    }

    private final class Counters: Sendable {
        let asked = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }
}
