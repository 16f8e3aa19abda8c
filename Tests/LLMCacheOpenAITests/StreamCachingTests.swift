import LLMCache
import LLMCacheOpenAI
import Testing

@Suite("Streamed chat answers through a CacheStack")
struct StreamCachingTests {
    @Test func theSecondStreamIsReplayedFromTheCacheChunkForChunk() async throws {
        try await withTestServer { server in
            let client = makeChatClient(server)
            let stack = CacheStack(tiers: [MemoryTier()])
            let stream = stack.wrapStream(client.stream)
            for model in ["chat-stream", "chat-stream-tools"] {
                let (first, firstError) = await drain(stream(question(model, "cached-stream")))
                #expect(firstError == nil)
                let (second, secondError) = await drain(stream(question(model, "cached-stream")))
                #expect(secondError == nil)
                #expect(second == first, "identical chunks, tool-call pieces and usage included")
                let serverCalls = try await calls(server, model: model, firstInput: "cached-stream")
                #expect(serverCalls == 1)
                #expect(ChatResponse(folding: second) == ChatResponse(folding: first))
            }
            let folded = ChatResponse(folding: await drain(stream(question("chat-stream-tools", "cached-stream"))).0)
            #expect(folded.choices[0].message.toolCalls == expectedToolCalls)
            let stats = stack.statistics
            #expect(stats.computed == 2 && stats.hits == 3)
            #expect(stats.tokensSaved == 3 * 19, "the usage chunk is replayed and counted")
        }
    }

    @Test func aStreamCutShortIsNotStored() async throws {
        try await withTestServer { server in
            let stack = CacheStack(tiers: [MemoryTier()])
            let stream = stack.wrapStream(makeChatClient(server).stream)
            for attempt in 1...2 {
                let (chunks, failure) = await drain(stream(question("chat-stream-cut", "cut-cached")))
                #expect(chunks.flatMap { $0.choices.compactMap(\.delta.content) } == ["", "Paris"])
                #expect((failure as? HTTPClientError)?.code == .connectionFailed)
                let serverCalls = try await calls(server, model: "chat-stream-cut", firstInput: "cut-cached")
                #expect(serverCalls == attempt)
            }
            #expect(stack.statistics.computeFailures == 2)
        }
    }

    @Test func chunksSurviveTheirCacheLayoutExactly() async throws {
        try await withTestServer { server in
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-stream-tools")))
            #expect(failure == nil)
            let edgeCases = [
                ChatStreamChunk(id: "", model: "", created: 0, choices: []),
                ChatStreamChunk(
                    id: "c", model: "m", created: -1,
                    choices: [
                        .init(index: 3, delta: .init(role: "critic", content: "", toolCalls: []), finishReason: ""),
                        .init(index: 0, delta: .init(toolCalls: [.init(index: 2), .init(index: 1, function: .init())])),
                    ],
                    usage: TokenUsage(promptTokens: 0, completionTokens: 0)),
            ]
            for chunk in chunks + edgeCases {
                #expect(try ChatStreamChunk(cacheEncoded: chunk.cacheEncoded()) == chunk)
            }
            #expect(chunks.last?.tokenUsage == TokenUsage(promptTokens: 12, completionTokens: 7))
            #expect(edgeCases[0].producingModel == nil && edgeCases[1].producingModel == "m")
            let bytes = try chunks[1].cacheEncoded()
            #expect(throws: CacheError.self) { try ChatStreamChunk(cacheEncoded: Array(bytes.dropLast())) }
            #expect(throws: CacheError.self) { try ChatStreamChunk(cacheEncoded: bytes + [0]) }
            #expect(throws: CacheError.self) { try ChatStreamChunk(cacheEncoded: [2] + bytes.dropFirst()) }
        }
    }
}
