import Foundation
import LLMCache
import LLMCacheOpenAI
import Testing

/// How many TCP connections carried a request to the server so far.
func serverConnections(_ server: TestServer) async throws -> Int {
    let response = try await HTTPClient().execute(HTTPRequest(url: "\(server.baseURL)/stats"))
    let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    return try #require(object?["connections"] as? Int)
}

/// A POST to the embeddings route; the server picks its behaviour from `model`.
func embeddingsRequest(_ server: TestServer, model: String, input: String) -> HTTPRequest {
    HTTPRequest(
        method: .post, url: "\(server.baseURL)/v1/embeddings", headers: [("Content-Type", "application/json")],
        body: Array(#"{"model":"\#(model)","input":["\#(input)"]}"#.utf8))
}

/// Polls `condition` every 10 ms, for at most 10 s: waits for another task
/// to reach a state, without asserting how long it takes.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<1_000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
}

@Suite("HTTPClient connection reuse, bounded queue and lifecycle")
struct HTTPConnectionReuseTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withTestServer { server in
            try await withHTTPClient(configuration: .init(retryPolicy: .none, maxConcurrentTransfers: 4)) { client in
                for index in 0..<20 {
                    let response = try await client.execute(embeddingsRequest(server, model: "ok", input: "n\(index)"))
                    #expect(response.status == 200)
                }
            }
            // Never more than the pool size; sequential requests go to the most
            // recently idle thread, whose connection is still open: exactly one.
            let connections = try await serverConnections(server)
            #expect(connections >= 1 && connections <= 4)
            #expect(connections == 1)
        }
    }

    @Test func concurrentRequestsUseAtMostPoolSizeConnections() async throws {
        try await withTestServer { server in
            let client = HTTPClient(configuration: .init(retryPolicy: .none, maxConcurrentTransfers: 2))
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        try await client.execute(embeddingsRequest(server, model: "ok", input: "c\(index)")).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            await client.shutdown()
            #expect(try await serverConnections(server) <= 2)
        }
    }

    @Test func fullQueueFailsFastAndCancelledQueuedRequestNeverReachesTheServer() async throws {
        try await withTestServer { server in
            let client = HTTPClient(
                configuration: .init(retryPolicy: .none, maxConcurrentTransfers: 1, maxQueuedRequests: 1))
            // Occupies the only transfer slot until released.
            let held = Task { try await client.execute(embeddingsRequest(server, model: "hold", input: "first")) }
            try await waitUntil { try await calls(server, model: "hold", firstInput: "first") == 1 }

            let queued = Task { try await client.execute(embeddingsRequest(server, model: "ok", input: "queued")) }
            try await waitUntil { client.queuedRequestCount == 1 }
            #expect(client.queuedRequestCount == 1)

            let full = await #expect(throws: HTTPClientError.self) {
                try await client.execute(embeddingsRequest(server, model: "ok", input: "overflow"))
            }
            #expect(full?.code == .queueFull)
            #expect(full?.attempts == 1)

            queued.cancel()
            let cancelled = await #expect(throws: HTTPClientError.self) { try await queued.value }
            #expect(cancelled?.code == .cancelled)
            #expect(client.queuedRequestCount == 0)

            _ = try await HTTPClient().execute(HTTPRequest(url: "\(server.baseURL)/release?key=first"))
            #expect(try await held.value.status == 200)
            // The slot is free again, and the turned-away requests were never sent.
            #expect(try await client.execute(embeddingsRequest(server, model: "ok", input: "after")).status == 200)
            #expect(try await calls(server, model: "ok", firstInput: "queued") == 0)
            #expect(try await calls(server, model: "ok", firstInput: "overflow") == 0)
            await client.shutdown()
        }
    }

    @Test func streamsShareTheConnectionAndACancelledStreamFreesItsSlot() async throws {
        try await withTestServer { server in
            let client = OpenAIChatClient(
                configuration: .init(
                    baseURL: server.baseURL, apiKey: nil,
                    http: .init(timeout: .seconds(20), retryPolicy: .none, maxConcurrentTransfers: 1)))
            for _ in 0..<3 {
                let (chunks, failure) = await drain(client.stream(question("chat-stream", "reuse")))
                #expect(failure == nil)
                #expect(chunks.count > 3)
            }
            #expect(try await serverConnections(server) == 1)

            // A stream that never ends, abandoned after its first chunk.
            let consumer = Task {
                for try await _ in client.stream(question("chat-stream-hang", "abandoned")) { break }
            }
            try await consumer.value
            var disconnected = 0
            try await waitUntil {
                disconnected = try await calls(server, model: "disconnected:chat-stream-hang", firstInput: "abandoned")
                return disconnected == 1
            }
            #expect(disconnected == 1)
            // The only transfer slot was given back: the next call runs.
            let answer = try await client.complete(question("chat-ok", "after the stream"))
            #expect(answer.text == "Paris is the capital of France.")
            await client.shutdown()
        }
    }

    @Test func aConnectionTheServerClosedIsReplacedTransparently() async throws {
        try await withTestServer { server in
            let client = OpenAIChatClient(
                configuration: .init(
                    baseURL: server.baseURL, apiKey: nil,
                    http: .init(retryPolicy: .none, maxConcurrentTransfers: 1)))
            for index in 0..<5 {
                // Each answer is followed by the server closing the kept-alive connection.
                let answer = try await client.complete(question("chat-close", "closed \(index)"))
                #expect(answer.text == "Paris is the capital of France.")
            }
            #expect(try await serverConnections(server) == 5)
            await client.shutdown()
        }
    }

    @Test func aConnectionClosedWithoutAnAnswerIsReportedNotHung() async throws {
        try await withTestServer { server in
            let client = HTTPClient(configuration: .init(retryPolicy: fastRetries, maxConcurrentTransfers: 1))
            let request = HTTPRequest(
                method: .post, url: "\(server.baseURL)/v1/chat/completions",
                body: Array(#"{"model":"chat-drop","messages":[{"role":"user","content":"x"}]}"#.utf8))
            let dropped = await #expect(throws: HTTPClientError.self) { try await client.execute(request) }
            #expect(dropped?.code == .connectionFailed)
            #expect(dropped?.attempts == 3)
            // The client still works afterwards.
            let later = try await client.execute(embeddingsRequest(server, model: "ok", input: "later"))
            #expect(later.status == 200)
            await client.shutdown()
        }
    }

    @Test func aShutDownClientRefusesNewRequests() async throws {
        try await withTestServer { server in
            let client = HTTPClient()
            let before = try await client.execute(embeddingsRequest(server, model: "ok", input: "before"))
            #expect(before.status == 200)
            await client.shutdown()
            await client.shutdown()  // harmless twice
            let refused = await #expect(throws: HTTPClientError.self) {
                try await client.execute(embeddingsRequest(server, model: "ok", input: "after"))
            }
            #expect(refused?.code == .shutdown)
            let sent = try await calls(server, model: "ok", firstInput: "after")
            #expect(sent == 0)
        }
    }

    @Test func transferThreadsDoNotKeepAForgottenClientAlive() async throws {
        try await withTestServer { server in
            weak var forgotten: HTTPClient?
            do {
                let client = HTTPClient(configuration: .init(maxConcurrentTransfers: 2))
                forgotten = client
                async let first = client.execute(embeddingsRequest(server, model: "ok", input: "one"))
                async let second = client.execute(embeddingsRequest(server, model: "ok", input: "two"))
                let statuses = try await [first.status, second.status]
                #expect(statuses == [200, 200])
            }
            // Its threads are still alive (idle) here; they hold the pool, not
            // the client, whose release stops them.
            #expect(forgotten == nil)
        }
    }
}
