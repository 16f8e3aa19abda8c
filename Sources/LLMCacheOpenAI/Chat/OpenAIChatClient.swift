import Foundation
import LLMCache
import Logging

/// A client for an OpenAI-compatible `/v1/chat/completions` endpoint
/// (OpenAI, Ollama, vLLM, LiteLLM, LocalAI...).
///
/// ``complete(_:)`` has the shape `(ChatRequest) async throws -> ChatResponse`
/// so that the cache wraps it in one line (`stack.wrap(client.complete)`);
/// ``stream(_:)`` delivers the answer as it is generated. Transient failures
/// (connection refused, 429, 5xx) are retried by the HTTP client, for
/// streams only before the first byte.
public final class OpenAIChatClient: Sendable {
    /// Where to send requests and how.
    public struct Configuration: Sendable {
        /// The server root, e.g. `https://api.openai.com` or
        /// `http://localhost:11434` (Ollama). Requests go to
        /// `{baseURL}/v1/chat/completions`; a base URL already ending in `/v1`
        /// is accepted too, as the OpenAI SDKs spell it.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …` when present and non-empty.
        public var apiKey: String?
        /// Timeouts, retry policy and response size limit. For streams the
        /// `timeout` bounds the whole answer, so allow for long generations.
        public var http: HTTPClient.Configuration

        /// A configuration. `baseURL` and `apiKey` default to the
        /// `OPENAI_BASE_URL` and `OPENAI_API_KEY` environment variables (as the
        /// OpenAI SDKs read them), so deployments choose the endpoint and
        /// secrets stay out of code.
        public init(
            baseURL: String = Configuration.environmentBaseURL,
            apiKey: String? = ProcessInfo.processInfo.environment["OPENAI_API_KEY"],
            http: HTTPClient.Configuration = HTTPClient.Configuration()
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.http = http
        }

        /// `OPENAI_BASE_URL` when set and non-empty, else `https://api.openai.com`.
        public static var environmentBaseURL: String {
            let value = ProcessInfo.processInfo.environment["OPENAI_BASE_URL"] ?? ""
            return value.isEmpty ? "https://api.openai.com" : value
        }
    }

    /// The configuration this client was made with.
    public let configuration: Configuration
    /// The full URL requests are sent to.
    public let endpoint: String

    private let client: HTTPClient
    private let logger: Logger

    /// A client; pass your `Logger` to see retries (logged at `debug`).
    public init(
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "llmcache.openai.chat", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.endpoint = OpenAIEndpoint.url(baseURL: configuration.baseURL, path: "chat/completions")
        self.client = HTTPClient(configuration: configuration.http, logger: logger)
        self.logger = logger
    }

    /// Shuts down the HTTP client inside: its transfer threads end and their
    /// kept-alive connections close; later requests fail with
    /// `HTTPClientError` `.shutdown`. Releasing the client does the same without
    /// waiting, so calling this is for a server's orderly shutdown.
    public func shutdown() async {
        await client.shutdown()
    }

    /// Asks for a complete answer.
    ///
    /// - Throws: `HTTPClientError` when the server cannot be reached or
    ///   answers with an error after retries (`.httpStatus` with `status` and
    ///   the server's message); `CacheError(.decodingFailed)` for a body that
    ///   is not a chat completion.
    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let body = try encode(request)
        let response = try await client.execute(
            HTTPRequest(
                method: .post, url: endpoint, headers: OpenAIEndpoint.headers(apiKey: configuration.apiKey),
                body: body))
        do {
            return try JSONDecoder().decode(ChatResponse.self, from: Data(response.body))
        } catch {
            let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw CacheError(
                .decodingFailed, "\(endpoint) returned a body that is not a chat completion: \(excerpt)",
                underlying: error)
        }
    }

    /// Asks for the answer as a stream of chunks, each yielded as soon as its
    /// server-sent event is complete.
    ///
    /// Sends `stream: true` with `stream_options.include_usage`, so the last
    /// chunk before `data: [DONE]` carries the token usage. The stream throws
    /// when the answer cannot be had in full: `HTTPClientError` for an error
    /// status (after retries) or a connection that ends before `[DONE]`,
    /// `CacheError(.decodingFailed)` for an event that is not a chunk. Chunks
    /// that arrived before a failure are delivered first. Ending the iteration
    /// early (or cancelling the consuming task) aborts the request.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let (chunks, continuation) = AsyncThrowingStream<ChatStreamChunk, any Error>.makeStream()
        let task = Task { [self] in
            do {
                let httpRequest = HTTPRequest(
                    method: .post, url: endpoint,
                    headers: OpenAIEndpoint.headers(apiKey: configuration.apiKey, accept: "text/event-stream"),
                    body: try encode(StreamingChatRequest(request: request)))
                let response = try await client.stream(httpRequest)
                var parser = ServerSentEventParser()
                for try await bytes in response.body {
                    for event in parser.feed(bytes) {
                        if event.trimmingSpaces == "[DONE]" {
                            continuation.finish()
                            return
                        }
                        continuation.yield(try decodeChunk(event))
                    }
                }
                try Task.checkCancellation()
                throw HTTPClientError(.connectionFailed, "\(endpoint) ended the stream before data: [DONE]")
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return chunks
    }

    private func encode(_ body: some Encodable) throws -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(body))
        } catch {
            throw HTTPClientError(.invalidRequest, "could not encode the chat request", underlying: error)
        }
    }

    private func decodeChunk(_ event: String) throws -> ChatStreamChunk {
        do {
            return try JSONDecoder().decode(ChatStreamChunk.self, from: Data(event.utf8))
        } catch {
            throw CacheError(
                .decodingFailed, "\(endpoint) sent an event that is not a chat chunk: \(event.prefix(200))",
                underlying: error)
        }
    }
}

/// The request body with the streaming fields OpenAI's API adds to it.
private struct StreamingChatRequest: Encodable {
    let request: ChatRequest

    private struct StreamOptions: Encodable {
        let includeUsage = true
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    private enum CodingKeys: String, CodingKey {
        case stream
        case streamOptions = "stream_options"
    }

    func encode(to encoder: any Encoder) throws {
        try request.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .stream)
        try container.encode(StreamOptions(), forKey: .streamOptions)
    }
}
