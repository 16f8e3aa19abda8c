import LLMCacheOpenAI
import Testing

@Suite("HTTPClient")
struct HTTPClientTests {
    @Test func refusedConnectionsAreRetriedThenReported() async throws {
        // A port that was just released by a stopped server: nothing listens there.
        let server = try await TestServer.start()
        let port = server.port
        server.stop()
        let client = HTTPClient(configuration: .init(connectTimeout: .seconds(1), retryPolicy: fastRetries))
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/v1/embeddings"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.attempts == 3)
        #expect(error?.status == nil)
    }

    @Test func sendReturnsNon2xxWithoutThrowing() async throws {
        try await withTestServer { server in
            let response = try await HTTPClient().send(HTTPRequest(url: "\(server.baseURL)/missing"))
            #expect(response.status == 404)
            #expect(response.header("content-type") == "application/json")
            #expect(response.serverMessage == "no such path")
        }
    }

    @Test func cancellationAbortsARunningTransfer() async throws {
        try await withTestServer { server in
            let client = HTTPClient(configuration: .init(timeout: .seconds(30)))
            let body = Array(#"{"model":"slow","input":["x"]}"#.utf8)
            let task = Task {
                try await client.execute(
                    HTTPRequest(method: .post, url: "\(server.baseURL)/v1/embeddings", body: body))
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            #expect(throws: HTTPClientError.self) { try result.get() }
            // Had the transfer not been aborted, the slow server would have answered.
            if case .failure(let error as HTTPClientError) = result {
                #expect(error.code == .cancelled)
            }
        }
    }

    @Test func invalidURLsAndHeadersAreRejected() async throws {
        let client = HTTPClient(configuration: .init(retryPolicy: .none))
        let scheme = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: "file:///etc/passwd"))
        }
        #expect(scheme?.code == .invalidRequest)
        let header = await #expect(throws: HTTPClientError.self) {
            try await client.execute(
                HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-Evil", "a\r\nInjected: yes")]))
        }
        #expect(header?.code == .invalidRequest)
    }
}

@Suite("Retry policy and response helpers")
struct RetryPolicyTests {
    @Test func fullJitterStaysUnderTheExponentialCap() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        for _ in 0..<200 {
            #expect(policy.delay(afterAttempt: 1, retryAfter: nil) <= .milliseconds(100))
            #expect(policy.delay(afterAttempt: 2, retryAfter: nil) <= .milliseconds(200))
            #expect(policy.delay(afterAttempt: 4, retryAfter: nil) <= .milliseconds(350))
            #expect(policy.delay(afterAttempt: 40, retryAfter: nil) <= .milliseconds(350))
        }
    }

    @Test func retryAfterWinsButIsCapped() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(1)) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(120)) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .zero) == .zero)
    }

    @Test func retryableStatuses() {
        let policy = RetryPolicy()
        #expect(policy.retries(status: 429))
        #expect(policy.retries(status: 500))
        #expect(policy.retries(status: 503))
        #expect(!policy.retries(status: 400))
        #expect(!policy.retries(status: 401))
        #expect(!policy.retries(status: 404))
    }

    @Test func responseParsesRetryAfterAndServerMessages() {
        #expect(HTTPResponse(status: 429, headers: [("retry-after", " 2 ")]).retryAfter == .seconds(2))
        #expect(HTTPResponse(status: 429, headers: [("Retry-After", "1.5")]).retryAfter == .milliseconds(1500))
        #expect(HTTPResponse(status: 429, headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]).retryAfter == nil)
        // A server's huge number saturates instead of trapping in the Int64 conversion.
        #expect(HTTPResponse(status: 429, headers: [("Retry-After", "1e300")]).retryAfter == .milliseconds(Int64.max))
        #expect(HTTPResponse(status: 503, headers: [("Retry-After", "9223372036854775807")]).retryAfter == .milliseconds(Int64.max))
        #expect(HTTPResponse(status: 429).retryAfter == nil)
        let openAI = HTTPResponse(status: 401, body: Array(#"{"error":{"message":"bad key","type":"x"}}"#.utf8))
        #expect(openAI.serverMessage == "bad key")
        let ollama = HTTPResponse(status: 500, body: Array(#"{"error":"model not found"}"#.utf8))
        #expect(ollama.serverMessage == "model not found")
        let text = HTTPResponse(status: 502, body: Array("Bad Gateway\n".utf8))
        #expect(text.serverMessage == "Bad Gateway")
        #expect(HTTPResponse(status: 500).serverMessage == nil)
    }
}
