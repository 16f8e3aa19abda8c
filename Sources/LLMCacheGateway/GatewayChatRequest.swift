import Foundation
import LLMCache

/// A chat-completion body as the cache sees it.
///
/// The fingerprint is the whole canonical body (keys sorted, the `cache`
/// object and `stream` left out: a streamed answer is kept apart by the
/// stack), so an unknown field changes the key. When the body is a plain
/// text conversation (`ChatRequest` reads every message as text, and no
/// field it does not know is present) it may also match semantically,
/// inside the scope `ChatRequest` defines (model, system prompt, sampling,
/// and here `stream_options`); anything else — images, audio, content
/// parts, unknown fields — is exact-only.
struct GatewayChatRequest: CacheableRequest {
    let body: JSONValue
    let chat: ChatRequest?
    let semanticAllowed: Bool

    /// - Parameters:
    ///   - fields: the body's fields without `cache` and `stream`.
    ///   - encoded: the same body as it is forwarded, for `ChatRequest` to read.
    init(fields: [String: JSONValue], encoded: [UInt8], semanticAllowed: Bool) {
        body = .object(fields)
        let typed = Set(fields.keys).isSubset(of: Self.typedFields)
        chat = typed ? try? JSONDecoder().decode(ChatRequest.self, from: Data(encoded)) : nil
        self.semanticAllowed = semanticAllowed
    }

    func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "gateway", "chat.completions")
        body.fingerprint(into: &hasher)
    }

    var semanticText: String? { semanticAllowed ? chat?.semanticText : nil }

    /// The fields `ChatRequest` reads (and so fingerprints in its scope),
    /// and `stream_options`, added to the scope here.
    static let typedFields: Set<String> = [
        "model", "messages", "temperature", "top_p", "max_tokens", "stop", "tools", "tool_choice",
        "response_format", "seed", "n", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty",
        "template_version", "stream_options",
    ]

    func semanticScope(into hasher: inout FingerprintHasher) {
        guard let chat, case .object(let fields) = body else { return fingerprint(into: &hasher) }
        chat.semanticScope(into: &hasher)
        // Whether a replayed stream carries a usage event.
        if let options = fields["stream_options"] {
            hasher.combine(field: "stream_options", "")
            options.fingerprint(into: &hasher)
        }
    }
}
