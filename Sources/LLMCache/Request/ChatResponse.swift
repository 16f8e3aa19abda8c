/// An OpenAI-style chat completion response.
///
/// Decodes from the `/v1/chat/completions` JSON body, and stores in the cache
/// in a compact binary layout so that a hit decodes in well under a microsecond
/// per kilobyte.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// One alternative answer.
    public struct Choice: Sendable, Hashable, Codable {
        public var index: Int
        public var message: ChatMessage
        public var finishReason: String?

        public init(index: Int = 0, message: ChatMessage, finishReason: String? = "stop") {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    public var id: String
    public var model: String
    /// Seconds since 1970, as the API reports it.
    public var created: Int
    public var choices: [Choice]
    public var usage: TokenUsage?

    public init(id: String, model: String, created: Int, choices: [Choice], usage: TokenUsage?) {
        self.id = id
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }

    /// The first choice's text, which is what most callers want.
    public var text: String? { choices.first?.message.content }
}

extension ChatResponse: CacheValue {
    private static let layoutVersion: UInt8 = 1

    public var tokenUsage: TokenUsage? { usage }
    public var producingModel: String? { model }
    public var answerText: String? { text }
    /// The first choice's finish reason when it says the answer was cut
    /// short (``incompleteFinishReasons``).
    public var incompleteReason: String? {
        choices.lazy.compactMap(\.finishReason).first(where: ChatResponse.incompleteFinishReasons.contains)
    }

    /// Finish reasons of an answer that did not end on its own: `length`
    /// (the `max_tokens` limit) and `content_filter` (withheld or cut by a filter).
    public static let incompleteFinishReasons: Set<String> = ["length", "content_filter"]

    public func cacheEncoded() throws -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + (text?.utf8.count ?? 0))
        writer.write(Self.layoutVersion)
        writer.write(id)
        writer.write(model)
        writer.write(Int64(created))
        writer.write(UInt8(usage == nil ? 0 : 1))
        if let usage {
            writer.write(Int64(usage.promptTokens))
            writer.write(Int64(usage.completionTokens))
        }
        writer.write(UInt32(choices.count))
        for choice in choices {
            writer.write(Int64(choice.index))
            writer.write(optional: choice.finishReason)
            writer.write(choice.message.role.rawValue)
            writer.write(optional: choice.message.content)
            writer.write(optional: choice.message.name)
            writer.write(optional: choice.message.toolCallID)
            // Tool calls are rare and free-form: JSON keeps the layout simple.
            let calls = try choice.message.toolCalls.map { try JSONCoding.encode($0) }
            writer.write(UInt8(calls == nil ? 0 : 1))
            if let calls { writer.write(bytes: calls) }
        }
        return writer.bytes
    }

    public init(cacheEncoded bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let version = try reader.read(UInt8.self)
        guard version == Self.layoutVersion else {
            throw CacheError(.decodingFailed, "unknown ChatResponse layout version \(version)")
        }
        id = try reader.readString()
        model = try reader.readString()
        created = Int(try reader.read(Int64.self))
        if try reader.read(UInt8.self) == 1 {
            usage = TokenUsage(
                promptTokens: Int(try reader.read(Int64.self)),
                completionTokens: Int(try reader.read(Int64.self))
            )
        } else {
            usage = nil
        }
        let count = Int(try reader.read(UInt32.self))
        guard count <= bytes.count else { throw CacheError(.decodingFailed, "implausible choice count \(count)") }
        var choices: [Choice] = []
        choices.reserveCapacity(count)
        for _ in 0..<count {
            let index = Int(try reader.read(Int64.self))
            let finishReason = try reader.readOptionalString()
            let role = ChatMessage.Role(rawValue: try reader.readString())
            let content = try reader.readOptionalString()
            let name = try reader.readOptionalString()
            let toolCallID = try reader.readOptionalString()
            var toolCalls: [JSONValue]?
            if try reader.read(UInt8.self) == 1 {
                toolCalls = try JSONCoding.decode([JSONValue].self, from: Array(try reader.readBytes()))
            }
            let message = ChatMessage(
                role: role, content: content, name: name, toolCalls: toolCalls, toolCallID: toolCallID)
            choices.append(Choice(index: index, message: message, finishReason: finishReason))
        }
        guard reader.isAtEnd else { throw CacheError(.decodingFailed, "trailing bytes after ChatResponse") }
        self.choices = choices
    }
}
