import LLMCache
import LLMCacheTesting
import Testing

@Suite("Stored values")
struct CacheValueTests {
    struct Summary: JSONCacheValue, Equatable {
        var title: String
        var points: [String]
    }

    @Test func chatResponsesRoundTripThroughTheirBinaryLayout() throws {
        let call: JSONValue = .object(["id": .string("c1"), "function": .object(["name": .string("f")])])
        let responses = [
            ChatResponse(
                id: "r1", model: "m", created: 1, choices: [.init(message: .assistant("hello ✓ \u{0}"))],
                usage: TokenUsage(promptTokens: 3, completionTokens: 4)),
            ChatResponse(
                id: "", model: "", created: -5,
                choices: [
                    .init(index: 0, message: ChatMessage(role: .assistant, content: nil, toolCalls: [call]), finishReason: nil),
                    .init(index: 1, message: ChatMessage(role: "custom", content: "", name: "n", toolCallID: "t"), finishReason: "length"),
                ],
                usage: nil),
        ]
        for response in responses {
            let decoded = try ChatResponse(cacheEncoded: try response.cacheEncoded())
            #expect(decoded == response)
        }
    }

    @Test func malformedStoredBytesThrowInsteadOfCrashing() throws {
        let bytes = try ChatResponse(
            id: "r", model: "m", created: 1, choices: [.init(message: .assistant("some answer"))],
            usage: TokenUsage(promptTokens: 1, completionTokens: 2)
        ).cacheEncoded()
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self) { try ChatResponse(cacheEncoded: Array(bytes.prefix(length))) }
        }
        #expect(throws: (any Error).self) { try ChatResponse(cacheEncoded: bytes + [0]) }
        var random = SeededRandomNumberGenerator(seed: 7)
        for _ in 0..<500 {
            let garbage = (0..<Int.random(in: 0..<64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = try? ChatResponse(cacheEncoded: garbage)
            _ = try? CacheEntry(serialized: garbage)
        }
    }

    @Test func codableValuesStoreAsJSON() throws {
        let summary = Summary(title: "t", points: ["a", "b"])
        #expect(try Summary(cacheEncoded: try summary.cacheEncoded()) == summary)
    }

    @Test func entriesRoundTripWithAllTheirMetadata() throws {
        let entry = CacheEntry(
            value: Array("answer".utf8), createdAt: CacheTime(millisecondsSince1970: 1_000),
            expiresAt: CacheTime(millisecondsSince1970: 61_000), expiration: .sliding(ttl: .seconds(60)),
            tags: ["a", "b"], usage: TokenUsage(promptTokens: 5, completionTokens: 6), model: "m",
            sourceText: "question", namespaceVersion: 9)
        #expect(try CacheEntry(serialized: entry.serialized()) == entry)
        let bare = CacheEntry(value: [], createdAt: CacheTime(millisecondsSince1970: 0))
        #expect(try CacheEntry(serialized: bare.serialized()) == bare)
        let codec = PayloadCodec()
        #expect(try codec.decodeEntry(codec.encode(entry: entry)) == entry)
        let serialized = entry.serialized()
        for length in 0..<serialized.count {
            #expect(throws: CacheError.self) { try CacheEntry(serialized: Array(serialized.prefix(length))) }
        }
    }
}
