import LLMCache
import LLMCacheOpenAI
import Synchronization

/// A LOCAL STAND-IN for a streaming language model, used when no
/// OpenAI-compatible endpoint is configured. It is not a language model: it
/// answers from a tiny table, but streams the way a model does (a pause
/// before the first token, then a token every few tens of milliseconds, a
/// finish chunk and a usage chunk, in OpenAI's chunk format), so that the
/// cache's replay shows its real speed-up.
final class StandInStreamingModel: Sendable {
    let firstTokenLatency: Duration
    let tokenInterval: Duration
    private let calls = Atomic<Int>(0)

    init(firstTokenLatency: Duration = .milliseconds(300), tokenInterval: Duration = .milliseconds(30)) {
        self.firstTokenLatency = firstTokenLatency
        self.tokenInterval = tokenInterval
    }

    /// How many answers it was asked to stream.
    var callCount: Int { calls.load(ordering: .relaxed) }

    private static let answers: [String: String] = [
        "sky": "Sunlight is scattered by the air's molecules, and blue light, with its shorter wavelength, "
            + "is scattered far more than red, so the sky looks blue from every direction.",
        "tide": "Tides are caused mainly by the Moon's gravity pulling the oceans into two bulges, "
            + "which the Earth rotates through twice a day.",
    ]

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        calls.add(1, ordering: .relaxed)
        let question = request.messages.last?.content ?? ""
        let answer = Self.answers.first { question.lowercased().contains($0.key) }?.value
            ?? "(stand-in answer to: \(question))"
        // Word-sized tokens, each keeping its leading space, as model tokens do.
        let tokens = answer.split(separator: " ").enumerated().map { $0.offset == 0 ? String($0.element) : " " + $0.element }
        let id = "standin-\(UInt32.random(in: 0...UInt32.max))"
        func chunk(_ delta: ChatStreamChunk.Delta, finish: String? = nil) -> ChatStreamChunk {
            ChatStreamChunk(
                id: id, model: request.model, created: 1_700_000_000,
                choices: [.init(delta: delta, finishReason: finish)])
        }
        let (stream, continuation) = AsyncThrowingStream<ChatStreamChunk, any Error>.makeStream()
        let task = Task { [firstTokenLatency, tokenInterval] in
            do {
                try await Task.sleep(for: firstTokenLatency)
                continuation.yield(chunk(.init(role: .assistant, content: "")))
                for token in tokens {
                    try await Task.sleep(for: tokenInterval)
                    continuation.yield(chunk(.init(content: token)))
                }
                continuation.yield(chunk(.init(), finish: "stop"))
                let promptTokens = request.messages.reduce(0) { $0 + ($1.content ?? "").split(separator: " ").count + 4 }
                continuation.yield(
                    ChatStreamChunk(
                        id: id, model: request.model, created: 1_700_000_000, choices: [],
                        usage: TokenUsage(promptTokens: promptTokens, completionTokens: tokens.count)))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
