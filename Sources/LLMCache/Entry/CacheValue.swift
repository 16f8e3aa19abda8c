/// A response the cache can store.
///
/// Tiers hold bytes, so the cache needs a way to turn a response into bytes
/// and back. ``String`` and ``ChatResponse`` conform with compact binary
/// layouts; any `Codable` type can conform by adopting ``JSONCacheValue``.
public protocol CacheValue: Sendable {
    /// The bytes a tier stores.
    func cacheEncoded() throws -> [UInt8]
    /// Rebuilds the value from stored bytes; throws on anything malformed.
    init(cacheEncoded bytes: [UInt8]) throws
    /// Tokens the call cost, so a hit can report what it saved.
    var tokenUsage: TokenUsage? { get }
    /// The model that produced the value, to price the saved tokens.
    var producingModel: String? { get }
    /// Why this answer is not a finished one (e.g. `"length"`: cut off by
    /// `max_tokens`; `"content_filter"`), or `nil` if it is. The stack does
    /// not store unfinished answers unless
    /// ``CacheOptions/storeIncompleteAnswers`` says so.
    var incompleteReason: String? { get }
    /// The answer as text, for comparing a fresh answer with a stored one
    /// (``AnswerEquivalence``); `nil` compares the encoded bytes instead.
    var answerText: String? { get }
}

extension CacheValue {
    public var tokenUsage: TokenUsage? { nil }
    public var producingModel: String? { nil }
    public var incompleteReason: String? { nil }
    public var answerText: String? { nil }
}

extension String: CacheValue {
    public func cacheEncoded() throws -> [UInt8] { Array(utf8) }
    public init(cacheEncoded bytes: [UInt8]) throws { self = String(decoding: bytes, as: UTF8.self) }
    public var answerText: String? { self }
}

/// Stores a `Codable` value as JSON: slower than a hand-written layout, but
/// one line to adopt.
public protocol JSONCacheValue: CacheValue, Codable {}

extension JSONCacheValue {
    public func cacheEncoded() throws -> [UInt8] { try JSONCoding.encode(self) }
    public init(cacheEncoded bytes: [UInt8]) throws { self = try JSONCoding.decode(Self.self, from: bytes) }
}

/// Tokens billed for one model call.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}
