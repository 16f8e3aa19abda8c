import LLMCache

/// Chunks are what a cached stream stores (see `CacheStack.wrapStream`), so
/// they get a compact binary layout: a replay decodes every chunk before the
/// first is delivered, and JSON would cost more than the lookup itself.
/// Every field round-trips exactly, absent and empty alike, so a replay
/// equals what the server sent.
extension ChatStreamChunk: CacheValue {
    private static let layoutVersion: UInt8 = 1

    /// The usage the server reported in this chunk (OpenAI: the last one).
    public var tokenUsage: TokenUsage? { usage }
    /// The model named by the chunk, if it names one.
    public var producingModel: String? { model.isEmpty ? nil : model }
    /// A finish reason saying the stream was cut short (`length`, `content_filter`).
    public var incompleteReason: String? {
        choices.lazy.compactMap(\.finishReason).first(where: ChatResponse.incompleteFinishReasons.contains)
    }

    public func cacheEncoded() throws -> [UInt8] {
        var writer = ByteWriter(capacity: 48 + id.utf8.count + model.utf8.count)
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
            writer.write(optional: choice.delta.role?.rawValue)
            writer.write(optional: choice.delta.content)
            writer.write(UInt8(choice.delta.toolCalls == nil ? 0 : 1))
            guard let calls = choice.delta.toolCalls else { continue }
            writer.write(UInt32(calls.count))
            for call in calls {
                writer.write(Int64(call.index))
                writer.write(optional: call.id)
                writer.write(optional: call.type)
                writer.write(UInt8(call.function == nil ? 0 : 1))
                if let function = call.function {
                    writer.write(optional: function.name)
                    writer.write(optional: function.arguments)
                }
            }
        }
        return writer.bytes
    }

    /// Rebuilds a chunk; throws `CacheError(.decodingFailed)` on anything
    /// truncated, implausible or of an unknown layout.
    public init(cacheEncoded bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let version = try reader.read(UInt8.self)
        guard version == Self.layoutVersion else {
            throw CacheError(.decodingFailed, "unknown ChatStreamChunk layout version \(version)")
        }
        let id = try reader.readString()
        let model = try reader.readString()
        let created = Int(try reader.read(Int64.self))
        var usage: TokenUsage?
        if try reader.read(UInt8.self) == 1 {
            usage = TokenUsage(
                promptTokens: Int(try reader.read(Int64.self)), completionTokens: Int(try reader.read(Int64.self)))
        }
        let choiceCount = try Self.count(&reader, limit: bytes.count)
        var choices: [Choice] = []
        choices.reserveCapacity(choiceCount)
        for _ in 0..<choiceCount {
            let index = Int(try reader.read(Int64.self))
            let finishReason = try reader.readOptionalString()
            let role = try reader.readOptionalString().map(ChatMessage.Role.init(rawValue:))
            let content = try reader.readOptionalString()
            var toolCalls: [ToolCallDelta]?
            if try reader.read(UInt8.self) == 1 {
                let callCount = try Self.count(&reader, limit: bytes.count)
                var calls: [ToolCallDelta] = []
                calls.reserveCapacity(callCount)
                for _ in 0..<callCount {
                    let callIndex = Int(try reader.read(Int64.self))
                    let callID = try reader.readOptionalString()
                    let type = try reader.readOptionalString()
                    var function: ToolCallDelta.Function?
                    if try reader.read(UInt8.self) == 1 {
                        function = .init(name: try reader.readOptionalString(), arguments: try reader.readOptionalString())
                    }
                    calls.append(ToolCallDelta(index: callIndex, id: callID, type: type, function: function))
                }
                toolCalls = calls
            }
            choices.append(
                Choice(index: index, delta: Delta(role: role, content: content, toolCalls: toolCalls),
                       finishReason: finishReason))
        }
        guard reader.isAtEnd else { throw CacheError(.decodingFailed, "trailing bytes after ChatStreamChunk") }
        self.init(id: id, model: model, created: created, choices: choices, usage: usage)
    }

    /// A list length, rejected when the remaining bytes could not hold it.
    private static func count(_ reader: inout ByteReader, limit: Int) throws -> Int {
        let count = Int(try reader.read(UInt32.self))
        guard count <= limit else { throw CacheError(.decodingFailed, "implausible list length \(count) in ChatStreamChunk") }
        return count
    }
}
