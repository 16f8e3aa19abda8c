import LLMCache

/// The answer every cache benchmark stores, so that figures from the
/// benchmark executables and from `llmcache bench` describe the same bytes.
public enum BenchmarkPayload {
    /// About `bytes` bytes of English words in a seeded random order, which
    /// compresses about as well as real prose (repeating one sentence would
    /// compress tenfold and flatter the Redis figures).
    public static func prose(bytes: Int = 2048) -> String {
        let vocabulary = """
            the cache model answer request time money store tier memory redis vector similar question user system
            prompt token cost save fast slow network server client process thread call result value key version
            tag invalidate expire policy score match scope tenant embed text language reply latency throughput
            because when while after before which would could should other every each many most some first last
            """.split(whereSeparator: \.isWhitespace)
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        var words: [Substring] = []
        while words.joined(separator: " ").utf8.count < bytes {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            words.append(vocabulary[Int(seed >> 33) % vocabulary.count])
        }
        return String(words.joined(separator: " ").utf8.prefix(bytes))!
    }

    /// The request whose answer is measured.
    public static let request = ChatRequest(model: "gpt-4o-mini", messages: [.user("How does a response cache save money?")])

    /// A model's reply carrying `answer`, with token usage as a real call reports it.
    public static func response(answer: String) -> ChatResponse {
        ChatResponse(
            id: "bench", model: "gpt-4o-mini", created: 1_700_000_000, choices: [.init(message: .assistant(answer))],
            usage: TokenUsage(promptTokens: 30, completionTokens: 450))
    }
}
