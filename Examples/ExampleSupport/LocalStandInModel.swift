import Synchronization

/// A LOCAL STAND-IN for a language model, so the examples run offline: it
/// waits like a model would (so cache hits show their speed-up), answers
/// from a small table and numbers its answers, so that a refreshed answer is
/// visibly a new one. It is not a language model.
public final class LocalStandInModel: Sendable {
    /// What the examples print about the model they use.
    public static let label = "LOCAL STAND-IN (answers from a small table after a simulated delay; not a language model)"

    private let latency: Duration
    private let answers: [(keyword: String, answer: String)]
    private let calls = Atomic<Int>(0)

    /// - Parameter answers: the first entry whose keyword the question
    ///   contains (case-insensitively) gives the answer.
    public init(latency: Duration = .milliseconds(100), answers: [(keyword: String, answer: String)]) {
        self.latency = latency
        self.answers = answers
    }

    /// How many times the model has been called.
    public var callCount: Int { calls.load(ordering: .relaxed) }

    /// The stand-in's answer to `question`, after the simulated delay.
    public func answer(_ question: String) async throws -> String {
        try await Task.sleep(for: latency)
        let number = calls.wrappingAdd(1, ordering: .relaxed).newValue
        let lowered = question.lowercased()
        let text = answers.first { lowered.contains($0.keyword.lowercased()) }?.answer ?? "I do not know that one."
        return "\(text) [stand-in answer #\(number)]"
    }
}
