import LLMCache

/// A chat-completion body as the cache sees it.
///
/// The fingerprint is the whole canonical body (keys sorted, the `cache`
/// object and `stream` left out), so an unknown field changes the key. When
/// the body is a plain text conversation (`ChatRequest` reads every message
/// as text, and no field it does not know is present) it may also match
/// semantically, inside the scope `ChatRequest` defines (model, system
/// prompt, sampling); anything else — images, audio, content parts, unknown
/// fields — is exact-only.
struct GatewayChatRequest: CacheableRequest {
    let body: JSONValue
    let chat: ChatRequest?
    let semanticAllowed: Bool

    func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "gateway", "chat.completions")
        body.fingerprint(into: &hasher)
    }

    var semanticText: String? { semanticAllowed ? chat?.semanticText : nil }

    /// The fields `ChatRequest` reads (and so fingerprints in its scope).
    static let typedFields: Set<String> = [
        "model", "messages", "temperature", "top_p", "max_tokens", "stop", "tools", "tool_choice",
        "response_format", "seed", "n", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty",
        "template_version",
    ]

    func semanticScope(into hasher: inout FingerprintHasher) {
        if let chat { chat.semanticScope(into: &hasher) } else { fingerprint(into: &hasher) }
    }
}
