import LLMCache

/// A chat-completion body as the cache sees it.
///
/// The fingerprint is the whole canonical body (keys sorted, the `cache`
/// object and `stream` left out), so an unknown field changes the key. When
/// the body is a plain text conversation (`ChatRequest` reads every message
/// as text) it may also match semantically, inside the scope `ChatRequest`
/// defines (model, system prompt, sampling); anything else — images,
/// audio, content parts — is exact-only.
struct GatewayChatRequest: CacheableRequest {
    let body: JSONValue
    let chat: ChatRequest?
    let semanticAllowed: Bool

    func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "gateway", "chat.completions")
        body.fingerprint(into: &hasher)
    }

    var semanticText: String? { semanticAllowed ? chat?.semanticText : nil }

    func semanticScope(into hasher: inout FingerprintHasher) {
        if let chat { chat.semanticScope(into: &hasher) } else { fingerprint(into: &hasher) }
    }
}
