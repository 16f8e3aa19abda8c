import LLMCache
import LLMCacheOpenAI
import Testing

/// Tiny delays so retry tests stay fast.
let fastRetries = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(20))

func makeEmbedder(
    _ server: TestServer, model: String, dimensions: Int = 4, requestedDimensions: Int? = nil,
    batchSize: Int = 64, apiKey: String? = nil, timeout: Duration = .seconds(10),
    retryPolicy: RetryPolicy = fastRetries
) throws -> OpenAIEmbedder {
    try OpenAIEmbedder(
        configuration: .init(
            baseURL: server.baseURL, apiKey: apiKey, model: model, dimensions: dimensions,
            requestedDimensions: requestedDimensions, batchSize: batchSize,
            http: .init(connectTimeout: .seconds(2), timeout: timeout, retryPolicy: retryPolicy)))
}

/// How many requests with this model and first input the server received.
func calls(_ server: TestServer, model: String, firstInput: String) async throws -> Int {
    let response = try await HTTPClient().execute(
        HTTPRequest(url: "\(server.baseURL)/calls?key=\(model):\(firstInput)"))
    let text = String(decoding: response.body, as: UTF8.self)
    // {"calls": n}
    let digits = text.filter(\.isNumber)
    return try #require(Int(digits), "unexpected /calls body \(text)")
}

/// The server's vectors are [len(text), 1, x, y] before normalisation; ratios undo it.
func ratio(_ vector: [Float], _ component: Int) -> Float { vector[component] / vector[1] }

@Suite("OpenAIEmbedder configuration")
struct OpenAIEmbedderConfigurationTests {
    /// Bad settings are a typed error at construction, never a trap.
    @Test(arguments: [
        OpenAIEmbedder.Configuration(baseURL: "not a url", apiKey: nil, dimensions: 4),
        .init(baseURL: "", apiKey: nil, dimensions: 4),
        .init(baseURL: "ftp://example.com", apiKey: nil, dimensions: 4),
        .init(baseURL: "http://", apiKey: nil, dimensions: 4),
        .init(baseURL: "http://localhost:11434", apiKey: nil, model: "", dimensions: 4),
        .init(baseURL: "http://localhost:11434", apiKey: nil, dimensions: 0),
        .init(baseURL: "http://localhost:11434", apiKey: nil, dimensions: -3),
        .init(baseURL: "http://localhost:11434", apiKey: nil, dimensions: 4, batchSize: 0),
        .init(baseURL: "http://localhost:11434", apiKey: nil, dimensions: 4, requestedDimensions: 8),
    ])
    func rejectsABadConfiguration(_ configuration: OpenAIEmbedder.Configuration) {
        let error = #expect(throws: CacheError.self) { try OpenAIEmbedder(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix("OpenAIEmbedder: ") == true)
    }

    @Test func acceptsAGoodOne() throws {
        let embedder = try OpenAIEmbedder(
            configuration: .init(baseURL: "HTTPS://api.example.com/v1", apiKey: nil, dimensions: 8, requestedDimensions: 8))
        #expect(embedder.identifier == "openai:text-embedding-3-small@8")
    }
}

@Suite("OpenAIEmbedder against a loopback server")
struct OpenAIEmbedderTests {
    @Test func returnsNormalisedVectorsInInputOrder() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "ok")
            #expect(embedder.identifier == "openai:ok@4")
            #expect(embedder.dimensions == 4)
            let texts = ["a", "bbbbb", "cc", "dddd"]
            // The server lists data in reverse; the embedder must order by "index".
            let vectors = try await embedder.embed(texts)
            #expect(vectors.count == texts.count)
            for (text, vector) in zip(texts, vectors) {
                #expect(vector.count == 4)
                #expect(abs(ratio(vector, 0) - Float(text.count)) < 1e-4)
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(norm - 1) < 1e-5)
            }
            #expect(try await embedder.embed([]).isEmpty)
        }
    }

    @Test func sendsRequestedDimensions() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "ok", dimensions: 7, requestedDimensions: 7)
            #expect(embedder.identifier == "openai:ok@7")
            let vectors = try await embedder.embed(["hello"])
            #expect(vectors.map(\.count) == [7])
        }
    }

    @Test func splitsInputsIntoBatches() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "count-batches", batchSize: 64)
            let texts = (0..<150).map { String(repeating: "x", count: $0 % 9 + 1) + "\($0)" }
            let vectors = try await embedder.embed(texts)
            #expect(vectors.count == 150)
            // Component 2 carries the size of the request the vector came from: 64, 64, 22.
            let sizes = vectors.map { Int(ratio($0, 2).rounded()) }
            #expect(sizes == Array(repeating: 64, count: 128) + Array(repeating: 22, count: 22))
            for (text, vector) in zip(texts, vectors) {
                #expect(Int(ratio(vector, 0).rounded()) == text.count)
            }
        }
    }

    @Test func retriesAfter429ThenSucceeds() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "flaky-429")
            let vectors = try await embedder.embed(["first", "second"])
            #expect(vectors.count == 2)
            #expect(try await calls(server, model: "flaky-429", firstInput: "first") == 2)
        }
    }

    @Test func serverErrorsExhaustRetriesAndCarryTheMessage() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "always-500")
            let error = await #expect(throws: HTTPClientError.self) {
                try await embedder.embed(["boom"])
            }
            #expect(error?.code == .httpStatus)
            #expect(error?.status == 500)
            #expect(error?.serverMessage == "the embedding server is on fire")
            #expect(error?.attempts == 3)
            #expect(error.map { "\($0)" }?.contains("the embedding server is on fire") == true)
            let received = try await calls(server, model: "always-500", firstInput: "boom")
            #expect(received == 3)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "bad-request")
            let error = await #expect(throws: HTTPClientError.self) {
                try await embedder.embed(["nope"])
            }
            #expect(error?.status == 400)
            #expect(error?.attempts == 1)
            #expect(error?.serverMessage == "unknown model bad-request")
            let received = try await calls(server, model: "bad-request", firstInput: "nope")
            #expect(received == 1)
        }
    }

    @Test func slowServerHitsTheTotalTimeout() async throws {
        try await withTestServer { server in
            let embedder = try makeEmbedder(server, model: "slow", timeout: .milliseconds(400))
            let error = await #expect(throws: HTTPClientError.self) {
                try await embedder.embed(["zzz"])
            }
            #expect(error?.code == .timeout)
            #expect(error?.attempts == 1, "timeouts are not retried by default")
        }
    }

    @Test func malformedJSONIsADecodingFailure() async throws {
        try await withTestServer { server in
            let error = await #expect(throws: CacheError.self) {
                try await makeEmbedder(server, model: "malformed").embed(["a"])
            }
            #expect(error?.code == .decodingFailed)
        }
    }

    @Test(arguments: ["wrong-dimensions", "wrong-count", "non-finite"])
    func invalidVectorsAreRejected(model: String) async throws {
        try await withTestServer { server in
            let error = await #expect(throws: CacheError.self) {
                try await makeEmbedder(server, model: model).embed(["a", "bb"])
            }
            #expect(error?.code == .invalidEmbedding)
        }
    }

    @Test func sendsTheBearerKeyAndJSONContentType() async throws {
        try await withTestServer { server in
            let keyed = try await makeEmbedder(server, model: "echo-auth", apiKey: "secret-key").embed(["a"])[0]
            #expect(ratio(keyed, 2) == 2, "Authorization: Bearer secret-key")
            #expect(ratio(keyed, 3) == 1, "Content-Type: application/json")
            let other = try await makeEmbedder(server, model: "echo-auth", apiKey: "other").embed(["a"])[0]
            #expect(ratio(other, 2) == 1)
            let keyless = try await makeEmbedder(server, model: "echo-auth", apiKey: nil).embed(["a"])[0]
            #expect(ratio(keyless, 2) == 0, "no Authorization header without a key")
        }
    }

    @Test func acceptsABaseURLEndingInV1() async throws {
        try await withTestServer { server in
            let embedder = try OpenAIEmbedder(
                configuration: .init(
                    baseURL: server.baseURL + "/v1/", apiKey: nil, model: "ok", dimensions: 4,
                    http: .init(retryPolicy: fastRetries)))
            let vectors = try await embedder.embed(["abc"])
            #expect(vectors.count == 1)
        }
    }
}
