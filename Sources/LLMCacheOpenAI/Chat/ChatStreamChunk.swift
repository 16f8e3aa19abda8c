import LLMCache

/// One `chat.completion.chunk` of a streamed chat completion.
///
/// Its JSON coding is the wire format of OpenAI-compatible servers, so a chunk
/// decodes straight from a server-sent event; it is also `Codable` and
/// `Hashable` so that a cache can store the chunks of a stream and replay them
/// later exactly as they arrived. Fold chunks into a ``ChatResponse`` with
/// ``ChatStreamAccumulator`` or `ChatResponse(folding:)`.
public struct ChatStreamChunk: Sendable, Codable, Hashable {
    /// A piece of one tool call. Pieces with the same `index` belong to the
    /// same call: the first usually carries `id`, `type` and the function
    /// name, later ones carry further pieces of the JSON arguments.
    public struct ToolCallDelta: Sendable, Codable, Hashable {
        /// The function part of a tool-call piece.
        public struct Function: Sendable, Codable, Hashable {
            /// The function's name, usually only in the call's first piece.
            public var name: String?
            /// The next piece of the arguments (JSON text, split anywhere).
            public var arguments: String?

            /// A function piece.
            public init(name: String? = nil, arguments: String? = nil) {
                self.name = name
                self.arguments = arguments
            }
        }

        /// Which call of the answer this piece belongs to.
        public var index: Int
        /// The call's id, usually only in its first piece.
        public var id: String?
        /// `"function"`, usually only in the call's first piece.
        public var type: String?
        /// The function name and arguments pieces.
        public var function: Function?

        /// A tool-call piece.
        public init(index: Int, id: String? = nil, type: String? = nil, function: Function? = nil) {
            self.index = index
            self.id = id
            self.type = type
            self.function = function
        }
    }

    /// What one choice gained in this chunk.
    public struct Delta: Sendable, Codable, Hashable {
        /// The author, usually only in the first chunk.
        public var role: ChatMessage.Role?
        /// The next piece of the text.
        public var content: String?
        /// Pieces of tool calls.
        public var toolCalls: [ToolCallDelta]?

        /// A delta.
        public init(role: ChatMessage.Role? = nil, content: String? = nil, toolCalls: [ToolCallDelta]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    /// One choice's part of the chunk.
    public struct Choice: Sendable, Codable, Hashable {
        /// Which alternative answer this piece extends.
        public var index: Int
        /// What the choice gained.
        public var delta: Delta
        /// Set in the choice's last chunk: `stop`, `length`, `tool_calls`...
        public var finishReason: String?

        /// A choice piece.
        public init(index: Int = 0, delta: Delta, finishReason: String? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            delta = try container.decodeIfPresent(Delta.self, forKey: .delta) ?? Delta()
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }
    }

    /// The completion's id, the same in every chunk of a stream.
    public var id: String
    /// The model that answers.
    public var model: String
    /// Seconds since 1970, as the server reports it.
    public var created: Int
    /// The choices this chunk extends; empty in the final usage chunk.
    public var choices: [Choice]
    /// Token counts; only in the usage chunk (requested with
    /// `stream_options.include_usage`), which the server sends last.
    public var usage: TokenUsage?

    /// A chunk.
    public init(id: String, model: String, created: Int, choices: [Choice], usage: TokenUsage? = nil) {
        self.id = id
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, model, created, choices, usage
    }

    /// Lenient about what compatible servers leave out (ids, timestamps, an
    /// empty choice list), strict about the types of what they send.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        created = try container.decodeIfPresent(Int.self, forKey: .created) ?? 0
        choices = try container.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        usage = try container.decodeIfPresent(TokenUsage.self, forKey: .usage)
    }
}

/// Folds the chunks of a stream, as they arrive, into the ``ChatResponse``
/// the same request would have got without streaming.
///
/// A cache stores answers as `ChatResponse`s, and a caller that streamed
/// still wants the whole answer at the end: text pieces are concatenated,
/// tool-call pieces are joined per call index (arguments concatenated),
/// each choice keeps its last finish reason, and usage comes from the last
/// chunk that carried it.
public struct ChatStreamAccumulator: Sendable {
    private struct ToolCall: Sendable {
        var id: String?
        var type: String?
        var name: String?
        var arguments = ""
    }

    private struct Choice: Sendable {
        var role: ChatMessage.Role?
        var content: String?
        var toolCalls: [Int: ToolCall] = [:]
        var finishReason: String?
    }

    private var id = ""
    private var model = ""
    private var created = 0
    private var usage: TokenUsage?
    private var choices: [Int: Choice] = [:]

    /// An empty accumulator.
    public init() {}

    /// Adds the next chunk of the stream.
    public mutating func add(_ chunk: ChatStreamChunk) {
        if id.isEmpty { id = chunk.id }
        if model.isEmpty { model = chunk.model }
        if created == 0 { created = chunk.created }
        if let usage = chunk.usage { self.usage = usage }
        for piece in chunk.choices {
            var choice = choices[piece.index] ?? Choice()
            if choice.role == nil { choice.role = piece.delta.role }
            if let text = piece.delta.content { choice.content = (choice.content ?? "") + text }
            for callPiece in piece.delta.toolCalls ?? [] {
                var call = choice.toolCalls[callPiece.index] ?? ToolCall()
                if call.id == nil { call.id = callPiece.id }
                if call.type == nil { call.type = callPiece.type }
                if call.name == nil, let name = callPiece.function?.name, !name.isEmpty { call.name = name }
                call.arguments += callPiece.function?.arguments ?? ""
                choice.toolCalls[callPiece.index] = call
            }
            if let reason = piece.finishReason { choice.finishReason = reason }
            choices[piece.index] = choice
        }
    }

    /// The answer so far, shaped like a non-streamed response: tool calls
    /// are `{"id", "type", "function": {"name", "arguments"}}` objects.
    public var response: ChatResponse {
        let folded = choices.keys.sorted().map { index in
            let choice = choices[index]!
            let calls: [JSONValue]? =
                choice.toolCalls.isEmpty
                ? nil
                : choice.toolCalls.keys.sorted().map { callIndex in
                    let call = choice.toolCalls[callIndex]!
                    return .object([
                        "id": .string(call.id ?? ""),
                        "type": .string(call.type ?? "function"),
                        "function": .object([
                            "name": .string(call.name ?? ""), "arguments": .string(call.arguments),
                        ]),
                    ])
                }
            return ChatResponse.Choice(
                index: index,
                message: ChatMessage(role: choice.role ?? .assistant, content: choice.content, toolCalls: calls),
                finishReason: choice.finishReason)
        }
        return ChatResponse(id: id, model: model, created: created, choices: folded, usage: usage)
    }
}

extension ChatResponse {
    /// The response that a complete stream of chunks amounts to; see
    /// ``ChatStreamAccumulator`` for how pieces are joined.
    public init(folding chunks: some Sequence<ChatStreamChunk>) {
        var accumulator = ChatStreamAccumulator()
        for chunk in chunks { accumulator.add(chunk) }
        self = accumulator.response
    }
}
