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
        let summary = CompletionSummary.read(body)
        tokenUsage = summary?.usage
        producingModel = summary?.model
        answerText = summary?.text
        incompleteReason = summary?.incompleteReason
    }

    public func cacheEncoded() throws -> [UInt8] { body }

    public init(cacheEncoded bytes: [UInt8]) throws { self.init(body: bytes) }
}
