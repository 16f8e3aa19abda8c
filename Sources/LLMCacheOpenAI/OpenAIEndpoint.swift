/// The one place that turns a configured base URL into an endpoint URL and
/// builds the headers every OpenAI-compatible request carries, so the
/// embedder and the chat client accept the same spellings of a base URL.
enum OpenAIEndpoint {
    /// `{root}/v1/{path}`, where `root` is `baseURL` without trailing
    /// slashes; a base URL already ending in `/v1` (as the OpenAI SDKs spell
    /// it) does not get a second one.
    static func url(baseURL: String, path: String) -> String {
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        return root.hasSuffix("/v1") ? "\(root)/\(path)" : "\(root)/v1/\(path)"
    }

    /// A JSON body, the accepted answer type, and `Authorization: Bearer`
    /// when a non-empty key is configured (local servers usually need none).
    static func headers(apiKey: String?, accept: String = "application/json") -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", accept)]
        if let apiKey, !apiKey.isEmpty {
            headers.append(("Authorization", "Bearer \(apiKey)"))
        }
        return headers
    }
}
