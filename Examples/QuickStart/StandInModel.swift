import LLMCache

/// A LOCAL STAND-IN for a language model, used when no OpenAI-compatible
/// endpoint is configured. It waits like a model would (so cache hits show
/// their real speed-up), reports token usage, and answers from a tiny table.
/// It is not a language model.
struct StandInModel: Sendable {
    var latency: Duration = .milliseconds(250)

    private static let answers: [String: String] = [
        "capital": "Paris is the capital of France.",
        "spider": "A spider has eight legs.",
        "%": "Percentages: multiply the number by the percentage and divide by 100.",
    ]

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await Task.sleep(for: latency)
        let question = request.messages.last?.content ?? ""
        let answer = Self.answers.first { question.lowercased().contains($0.key) }?.value
            ?? "(stand-in answer to: \(question))"
        let promptTokens = request.messages.reduce(0) { $0 + ($1.content ?? "").split(separator: " ").count * 4 / 3 + 4 }
        return ChatResponse(
            id: "standin-\(UInt32.random(in: 0...UInt32.max))", model: request.model, created: 1_700_000_000,
            choices: [.init(message: .assistant(answer))],
            usage: TokenUsage(promptTokens: promptTokens, completionTokens: answer.split(separator: " ").count * 4 / 3 + 1))
    }
}
