/// One turn of an OpenAI-style conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote a turn; an open set so new roles never break decoding.
    public struct Role: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        public static let system: Role = "system"
        public static let developer: Role = "developer"
        public static let user: Role = "user"
        public static let assistant: Role = "assistant"
        public static let tool: Role = "tool"
    }

    public var role: Role
    /// The text of the turn; `nil` for an assistant turn that only calls tools.
    public var content: String?
    /// An optional author name, which the model sees.
    public var name: String?
    /// Tool calls made by an assistant turn, kept as JSON.
    public var toolCalls: [JSONValue]?
    /// The call a tool turn answers.
    public var toolCallID: String?

    public init(
        role: Role, content: String?, name: String? = nil,
        toolCalls: [JSONValue]? = nil, toolCallID: String? = nil
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { .init(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { .init(role: .user, content: text) }
    public static func assistant(_ text: String) -> ChatMessage { .init(role: .assistant, content: text) }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    /// Feeds the turn with absent and empty optional parts treated alike.
    func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "role", role.rawValue)
        hasher.combine(field: "content", content ?? "")
        hasher.combine(field: "name", name ?? "")
        hasher.combine(field: "tool_call_id", toolCallID ?? "")
        let calls = toolCalls ?? []
        hasher.combine(count: calls.count, field: "tool_calls")
        for call in calls { call.fingerprint(into: &hasher) }
    }
}
