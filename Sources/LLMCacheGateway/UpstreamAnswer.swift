import Foundation
import LLMCache

/// An upstream's chat completion as the gateway caches it: the body bytes,
/// served back unchanged on a hit, with what the stack reads from them
/// (usage, model, finish reason, text).
public struct UpstreamAnswer: CacheValue, Sendable {
    /// The response body exactly as the upstream sent it.
    public let body: [UInt8]
    public let tokenUsage: TokenUsage?
    public let producingModel: String?
    public let incompleteReason: String?
    public let answerText: String?

    public init(body: [UInt8]) {
        self.body = body
        let summary = try? JSONDecoder().decode(Summary.self, from: Data(body))
        tokenUsage = summary?.usage
        producingModel = summary?.model
        let choice = summary?.choices?.first
        answerText = choice?.message?.content
        incompleteReason = choice?.finishReason.flatMap {
            ChatResponse.incompleteFinishReasons.contains($0) ? $0 : nil
        }
    }

    public func cacheEncoded() throws -> [UInt8] { body }

    public init(cacheEncoded bytes: [UInt8]) throws { self.init(body: bytes) }

    /// The fields of a chat completion the stack uses; everything else is
    /// kept in ``body`` untouched.
    private struct Summary: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message?
            var finishReason: String?
            enum CodingKeys: String, CodingKey {
                case message
                case finishReason = "finish_reason"
            }
        }
        var model: String?
        var usage: TokenUsage?
        var choices: [Choice]?
    }
}
