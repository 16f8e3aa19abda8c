import Foundation
import LLMCache

/// The fields of a chat completion, or of one streamed chunk of it, that the
/// stack reads (usage, model, finish reason, text); everything else stays
/// in the cached bytes untouched.
struct CompletionSummary: Decodable {
    struct Choice: Decodable {
        struct Content: Decodable { var content: String? }
        /// A complete answer's message.
        var message: Content?
        /// A streamed chunk's piece of it.
        var delta: Content?
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case message, delta
            case finishReason = "finish_reason"
        }
    }
    var model: String?
    var usage: TokenUsage?
    var choices: [Choice]?

    /// The first choice's text: its message, or a chunk's delta.
    var text: String? { choices?.first.flatMap { $0.message?.content ?? $0.delta?.content } }

    /// The first choice's finish reason when it means the answer was cut short.
    var incompleteReason: String? {
        choices?.first?.finishReason.flatMap { ChatResponse.incompleteFinishReasons.contains($0) ? $0 : nil }
    }

    /// The summary of a JSON document, or `nil` for anything else.
    static func read(_ json: some DataProtocol) -> CompletionSummary? {
        try? JSONDecoder().decode(CompletionSummary.self, from: Data(json))
    }
}
