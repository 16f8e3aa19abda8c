import Foundation
import LLMCache
import LLMCacheOpenAI
import Testing

func makeChatClient(
    _ server: TestServer, baseURLSuffix: String = "", retryPolicy: RetryPolicy = fastRetries
) -> OpenAIChatClient {
    OpenAIChatClient(
        configuration: .init(
            baseURL: server.baseURL + baseURLSuffix, apiKey: nil,
            http: .init(connectTimeout: .seconds(2), timeout: .seconds(20), retryPolicy: retryPolicy)))
}

/// A one-question conversation; the question is the server's call-count key.
func question(_ model: String, _ text: String = "capital") -> ChatRequest {
    ChatRequest(model: model, messages: [.system("Be brief."), .user(text)], temperature: 0, templateVersion: "v1")
}

/// Everything a stream yields before it ends, and how it ended.
func drain(_ stream: AsyncThrowingStream<ChatStreamChunk, any Error>) async -> ([ChatStreamChunk], (any Error)?) {
    var chunks: [ChatStreamChunk] = []
    do {
        for try await chunk in stream { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}

let expectedToolCalls: [JSONValue] = [
    .object([
        "id": .string("call_weather"), "type": .string("function"),
        "function": .object(["name": .string("get_weather"), "arguments": .string(#"{"city": "Paris", "unit": "celsius"}"#)]),
    ]),
    .object([
        "id": .string("call_time"), "type": .string("function"),
        "function": .object(["name": .string("get_time"), "arguments": .string(#"{"timezone": "Europe/Paris"}"#)]),
    ]),
]

@Suite("OpenAIChatClient against a loopback server")
struct OpenAIChatClientTests {
    @Test func completesWithAnswerAndUsage() async throws {
        try await withTestServer { server in
            let response = try await makeChatClient(server).complete(question("chat-ok"))
            #expect(response.text == "Paris is the capital of France.")
            #expect(response.choices.count == 1)
            #expect(response.choices[0].message.role == .assistant)
            #expect(response.choices[0].finishReason == "stop")
            #expect(response.usage == TokenUsage(promptTokens: 12, completionTokens: 7))
            #expect(response.id == "chatcmpl-test")
            #expect(response.model == "chat-ok")
        }
    }

    @Test func sendsOpenAIBodyToEitherBaseURLSpelling() async throws {
        try await withTestServer { server in
            for suffix in ["", "/", "/v1", "/v1/"] {
                let response = try await makeChatClient(server, baseURLSuffix: suffix).complete(question("chat-echo"))
                let sent = try #require(response.text)
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
                #expect(body["model"] as? String == "chat-echo")
                #expect(body["temperature"] as? Double == 0)
                #expect(body["template_version"] == nil, "the template version is a cache concern")
                #expect(body["stream"] == nil)
                let messages = try #require(body["messages"] as? [[String: Any]])
                #expect(messages.map { $0["role"] as? String } == ["system", "user"])
                #expect(messages.map { $0["content"] as? String } == ["Be brief.", "capital"])
            }
        }
    }

    @Test func decodesToolCalls() async throws {
        try await withTestServer { server in
            let response = try await makeChatClient(server).complete(question("chat-tools"))
            #expect(response.choices[0].finishReason == "tool_calls")
            #expect(response.choices[0].message.content == nil)
            #expect(response.choices[0].message.toolCalls == expectedToolCalls)
        }
    }

    @Test func serverErrorIsRetriedThenReportedWithStatusAndMessage() async throws {
        try await withTestServer { server in
            let error = try await #require(throws: HTTPClientError.self) {
                try await makeChatClient(server).complete(question("chat-500", "fire"))
            }
            #expect(error.code == .httpStatus)
            #expect(error.status == 500)
            #expect(error.serverMessage == "the chat server is on fire")
            #expect(error.attempts == 3)
            let serverCalls = try await calls(server, model: "chat-500", firstInput: "fire")
            #expect(serverCalls == 3)
        }
    }

    @Test func malformedBodyIsDecodingFailed() async throws {
        try await withTestServer { server in
            let error = try await #require(throws: CacheError.self) {
                try await makeChatClient(server).complete(question("chat-malformed"))
            }
            #expect(error.code == .decodingFailed)
        }
    }

    @Test func streamsContentPiecesInOrderWithUsage() async throws {
        try await withTestServer { server in
            let client = makeChatClient(server)
            let (chunks, failure) = await drain(client.stream(question("chat-stream")))
            #expect(failure == nil)
            let pieces = chunks.flatMap { $0.choices.compactMap(\.delta.content) }
            #expect(pieces == ["", "Paris", " is", " the capital", " of France."])
            #expect(chunks.first?.choices.first?.delta.role == .assistant)
            #expect(chunks.last?.choices.isEmpty == true)
            #expect(chunks.last?.usage == TokenUsage(promptTokens: 12, completionTokens: 7))

            let folded = ChatResponse(folding: chunks)
            let whole = try await client.complete(question("chat-ok"))
            #expect(folded.choices == whole.choices)
            #expect(folded.usage == whole.usage)
            #expect(folded.id == whole.id)
            #expect(folded.model == "chat-stream")
        }
    }

    @Test func chunksSurviveACodableRoundTrip() async throws {
        try await withTestServer { server in
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-stream-tools")))
            #expect(failure == nil)
            let replayed = try JSONDecoder().decode([ChatStreamChunk].self, from: JSONEncoder().encode(chunks))
            #expect(replayed == chunks)
        }
    }

    @Test func streamedToolCallPiecesFoldIntoWholeCalls() async throws {
        try await withTestServer { server in
            let client = makeChatClient(server)
            let (chunks, failure) = await drain(client.stream(question("chat-stream-tools")))
            #expect(failure == nil)
            // The argument pieces really were split and interleaved over chunks.
            let argumentPieces = chunks.flatMap { $0.choices.flatMap { $0.delta.toolCalls ?? [] } }
            #expect(argumentPieces.map(\.index) == [0, 1, 0, 1, 0, 1, 0, 1])
            let folded = ChatResponse(folding: chunks)
            #expect(folded.choices[0].message.toolCalls == expectedToolCalls)
            #expect(folded.choices[0].finishReason == "tool_calls")
            let whole = try await client.complete(question("chat-tools"))
            #expect(folded.choices == whole.choices)
            #expect(folded.usage == whole.usage)
        }
    }

    @Test func streamIsRetriedBeforeTheFirstByte() async throws {
        try await withTestServer { server in
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-stream-flaky", "again")))
            #expect(failure == nil)
            #expect(ChatResponse(folding: chunks).text == "Paris is the capital of France.")
            let serverCalls = try await calls(server, model: "chat-stream-flaky", firstInput: "again")
            #expect(serverCalls == 2)
        }
    }

    @Test func streamErrorStatusIsReportedAfterRetries() async throws {
        try await withTestServer { server in
            // chat-500 answers 500 whether or not the request streams.
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-500", "streamfire")))
            #expect(chunks.isEmpty)
            let httpError = try #require(failure as? HTTPClientError)
            #expect(httpError.status == 500)
            #expect(httpError.serverMessage == "the chat server is on fire")
            let serverCalls = try await calls(server, model: "chat-500", firstInput: "streamfire")
            #expect(serverCalls == 3)
        }
    }

    @Test func cutStreamDeliversArrivedChunksThenFails() async throws {
        try await withTestServer { server in
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-stream-cut", "cut")))
            #expect(chunks.flatMap { $0.choices.compactMap(\.delta.content) } == ["", "Paris"])
            let httpError = try #require(failure as? HTTPClientError)
            #expect(httpError.code == .connectionFailed)
            // Not retried: the consumer had already seen chunks.
            let serverCalls = try await calls(server, model: "chat-stream-cut", firstInput: "cut")
            #expect(serverCalls == 1)
        }
    }

    @Test func malformedEventFailsTheStreamAfterEarlierChunks() async throws {
        try await withTestServer { server in
            let (chunks, failure) = await drain(makeChatClient(server).stream(question("chat-stream-bad")))
            #expect(chunks.flatMap { $0.choices.compactMap(\.delta.content) } == ["Paris"])
            let cacheError = try #require(failure as? CacheError)
            #expect(cacheError.code == .decodingFailed)
        }
    }

    @Test func cancellingTheConsumerEndsTheStreamAndTheTransfer() async throws {
        try await withTestServer { server in
            let client = makeChatClient(server)
            let (firstChunk, firstChunkSeen) = AsyncStream<Void>.makeStream()
            let consumer = Task {
                var count = 0
                for try await _ in client.stream(question("chat-stream-hang", "hang")) {
                    count += 1
                    firstChunkSeen.yield()
                }
                return count
            }
            var signals = firstChunk.makeAsyncIterator()
            _ = await signals.next()
            consumer.cancel()
            // The server keeps the stream open for 30 s: only cancellation ends it sooner.
            let result = await consumer.result
            if case .success(let count) = result { #expect(count == 1) }
            // The server saw the client go away (the transfer was aborted).
            var disconnected = 0
            for _ in 0..<400 where disconnected == 0 {
                disconnected = try await calls(server, model: "disconnected:chat-stream-hang", firstInput: "hang")
                if disconnected == 0 { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(disconnected == 1)
        }
    }

    @Test func wrappedByACacheStackTheSecondAnswerComesFromMemory() async throws {
        try await withTestServer { server in
            let client = makeChatClient(server)
            let stack = CacheStack(tiers: [MemoryTier()])
            let ask = stack.wrap(client.complete)
            let first = try await ask(question("chat-ok", "cached"))
            let second = try await ask(question("chat-ok", "cached"))
            #expect(first == second)
            #expect(second.text == "Paris is the capital of France.")
            let serverCalls = try await calls(server, model: "chat-ok", firstInput: "cached")
            #expect(serverCalls == 1)
            #expect(stack.statistics.tiers.first?.hits == 1)
        }
    }
}

@Suite("ChatStreamAccumulator")
struct ChatStreamAccumulatorTests {
    @Test func foldsPiecesPerChoiceAndCallIndex() {
        let chunks = [
            ChatStreamChunk(
                id: "c", model: "m", created: 5,
                choices: [
                    .init(index: 1, delta: .init(role: .assistant, content: "B")),
                    .init(index: 0, delta: .init(role: .assistant, content: "A")),
                ]),
            ChatStreamChunk(
                id: "c", model: "m", created: 5,
                choices: [
                    .init(
                        index: 0,
                        delta: .init(toolCalls: [
                            .init(index: 0, id: "x", type: "function", function: .init(name: "f", arguments: "{\"a\":")),
                        ]))
                ]),
            ChatStreamChunk(
                id: "c", model: "m", created: 5,
                choices: [
                    .init(index: 0, delta: .init(toolCalls: [.init(index: 0, function: .init(arguments: "1}"))])),
                    .init(index: 1, delta: .init(content: "b"), finishReason: "length"),
                ]),
            ChatStreamChunk(id: "c", model: "m", created: 5, choices: [], usage: .init(promptTokens: 1, completionTokens: 2)),
        ]
        let response = ChatResponse(folding: chunks)
        #expect(response.choices.map(\.index) == [0, 1])
        #expect(response.choices.map(\.message.content) == ["A", "Bb"])
        #expect(response.choices[1].finishReason == "length")
        #expect(
            response.choices[0].message.toolCalls == [
                .object([
                    "id": .string("x"), "type": .string("function"),
                    "function": .object(["name": .string("f"), "arguments": .string("{\"a\":1}")]),
                ])
            ])
        #expect(response.usage == TokenUsage(promptTokens: 1, completionTokens: 2))
    }
}
