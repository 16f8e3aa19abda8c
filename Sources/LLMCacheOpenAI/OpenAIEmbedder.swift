import Foundation
import LLMCache
import Logging

/// An `Embedder` that asks an OpenAI-compatible `/v1/embeddings` endpoint
/// (OpenAI, Ollama, vLLM, TEI, LocalAI...) for vectors.
///
/// Use it when the semantic tier should share an embedding model with the
/// rest of your stack, or when no local model is wanted. Inputs are split into
/// requests of at most `batchSize` texts (sent one after another, to stay kind
/// to rate limits); transient failures are retried by the HTTP client; every
/// answer is checked (count, order, dimensions, finite numbers) before it can
/// reach an index, because one bad vector silently poisons similarity search.
/// Vectors are L2-normalised, as the `Embedder` contract asks.
public final class OpenAIEmbedder: Embedder {
    /// Where to send requests and what to ask for.
    public struct Configuration: Sendable {
        /// The server root, e.g. `https://api.openai.com` or
        /// `http://localhost:11434` (Ollama). Requests go to
        /// `{baseURL}/v1/embeddings`; a base URL already ending in `/v1` is
        /// accepted too, as the OpenAI SDKs spell it.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …` when present and non-empty;
        /// local servers usually need none.
        public var apiKey: String?
        /// The embedding model, e.g. `text-embedding-3-small` or `nomic-embed-text`.
        public var model: String
        /// The length of every returned vector. Required because indexes are
        /// created with a fixed dimension before the first vector arrives, and
        /// because a server silently switched to another model must fail loudly.
        public var dimensions: Int
        /// Sent as `"dimensions"` in the request, for models that can shorten
        /// their vectors (text-embedding-3-*). Must equal `dimensions` when set.
        public var requestedDimensions: Int?
        /// The most texts per request; larger inputs are split. Providers cap
        /// inputs per request (OpenAI: 2048), and smaller requests retry cheaper.
        public var batchSize: Int
        /// Timeouts, retry policy and response size limit of the HTTP client.
        public var http: HTTPClient.Configuration

        /// A configuration. `apiKey` defaults to the `OPENAI_API_KEY`
        /// environment variable, so secrets stay out of code.
        public init(
            baseURL: String = "https://api.openai.com",
            apiKey: String? = ProcessInfo.processInfo.environment["OPENAI_API_KEY"],
            model: String = "text-embedding-3-small",
            dimensions: Int,
            requestedDimensions: Int? = nil,
            batchSize: Int = 64,
            http: HTTPClient.Configuration = HTTPClient.Configuration()
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.dimensions = dimensions
            self.requestedDimensions = requestedDimensions
            self.batchSize = batchSize
            self.http = http
        }
    }

    /// The configuration this embedder was made with.
    public let configuration: Configuration
    /// `openai:{model}@{dimensions}`: two models, or one model at two
    /// lengths, never share stored vectors.
    public let identifier: String
    /// The length of every returned vector (`configuration.dimensions`).
    public var dimensions: Int { configuration.dimensions }

    private let client: HTTPClient
    private let endpoint: String
    private let logger: Logger

    /// An embedder.
    ///
    /// - Throws: ``CacheError`` with code `.invalidConfiguration`, naming the
    ///   setting, unless `baseURL` is an `http` or `https` URL with a host,
    ///   `model` is not empty, `dimensions` and `batchSize` are at least 1, and
    ///   `requestedDimensions`, when set, equals `dimensions` — at start-up,
    ///   as ``MiniLMEmbedder`` does, rather than at first use.
    public init(
        configuration: Configuration,
        logger: Logger = Logger(label: "llmcache.openai", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(CacheError) {
        try Self.validate(configuration)
        self.configuration = configuration
        self.identifier = "openai:\(configuration.model)@\(configuration.dimensions)"
        self.client = HTTPClient(configuration: configuration.http, logger: logger)
        self.endpoint = OpenAIEndpoint.url(baseURL: configuration.baseURL, path: "embeddings")
        self.logger = logger
    }

    /// Shuts down the HTTP client inside: its transfer threads end and their
    /// kept-alive connections close; later requests fail with
    /// `HTTPClientError` `.shutdown`. Releasing the embedder does the same without
    /// waiting, so calling this is for a server's orderly shutdown.
    public func shutdown() async {
        await client.shutdown()
    }

    private static func validate(_ configuration: Configuration) throws(CacheError) {
        func invalid(_ message: String) -> CacheError { CacheError(.invalidConfiguration, "OpenAIEmbedder: \(message)") }
        let url = URLComponents(string: configuration.baseURL)
        guard let url, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw invalid("baseURL \(configuration.baseURL.debugDescription) is not an http or https URL with a host")
        }
        guard !configuration.model.isEmpty else { throw invalid("model must not be empty") }
        guard configuration.dimensions >= 1 else {
            throw invalid("dimensions must be at least 1 (got \(configuration.dimensions))")
        }
        guard configuration.batchSize >= 1 else {
            throw invalid("batchSize must be at least 1 (got \(configuration.batchSize))")
        }
        if let requested = configuration.requestedDimensions, requested != configuration.dimensions {
            throw invalid("requestedDimensions (\(requested)) must equal dimensions (\(configuration.dimensions))")
        }
    }

    /// One normalised vector per text, in the order given.
    ///
    /// - Throws: `HTTPClientError` when the server cannot be reached or
    ///   answers with an error after retries; `CacheError` with
    ///   `.decodingFailed` for a body that is not an embeddings response, or
    ///   `.invalidEmbedding` for a wrong vector count, wrong length,
    ///   non-finite or zero vector.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(start + configuration.batchSize, texts.count)
            vectors += try await embedBatch(Array(texts[start..<end]))
            start = end
        }
        return vectors
    }

    private func embedBatch(_ texts: [String]) async throws -> [[Float]] {
        let body: [UInt8]
        do {
            body = Array(
                try JSONEncoder().encode(
                    EmbeddingsRequest(model: configuration.model, input: texts, dimensions: configuration.requestedDimensions)))
        } catch {
            throw CacheError(.embeddingFailed, "could not encode the embeddings request", underlying: error)
        }
        let headers = OpenAIEndpoint.headers(apiKey: configuration.apiKey)
        let response = try await client.execute(
            HTTPRequest(method: .post, url: endpoint, headers: headers, body: body))
        logger.trace("embedded batch", metadata: ["count": "\(texts.count)", "model": "\(configuration.model)"])
        return try decode(response.body, expecting: texts.count)
    }

    private func decode(_ body: [UInt8], expecting count: Int) throws -> [[Float]] {
        let decoded: EmbeddingsResponse
        do {
            decoded = try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(body))
        } catch {
            let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            throw CacheError(
                .decodingFailed, "\(endpoint) returned a body that is not an embeddings response: \(excerpt)",
                underlying: error)
        }
        guard decoded.data.count == count else {
            throw CacheError(
                .invalidEmbedding, "\(endpoint) returned \(decoded.data.count) vectors for \(count) inputs")
        }
        let ordered = decoded.data.sorted { $0.index < $1.index }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(count)
        for (position, item) in ordered.enumerated() {
            guard item.index == position else {
                throw CacheError(
                    .invalidEmbedding, "\(endpoint) returned indexes that are not 0..<\(count) (saw \(item.index))")
            }
            vectors.append(try normalised(item.embedding, index: position))
        }
        return vectors
    }

    private func normalised(_ values: [Double], index: Int) throws -> [Float] {
        guard values.count == configuration.dimensions else {
            throw CacheError(
                .invalidEmbedding,
                "vector \(index) from \(configuration.model) has \(values.count) dimensions, expected \(configuration.dimensions)")
        }
        var sumOfSquares = 0.0
        for value in values {
            // Checked as Float too: 1e39 is a finite Double but not a finite Float.
            guard value.isFinite, Float(value).isFinite else {
                throw CacheError(.invalidEmbedding, "vector \(index) from \(configuration.model) has a non-finite component")
            }
            sumOfSquares += value * value
        }
        let norm = sumOfSquares.squareRoot()
        guard norm > 0, norm.isFinite else {
            throw CacheError(.invalidEmbedding, "vector \(index) from \(configuration.model) has zero or infinite norm")
        }
        return values.map { Float($0 / norm) }
    }
}

/// The request document of `/v1/embeddings`.
private struct EmbeddingsRequest: Encodable {
    let model: String
    let input: [String]
    let dimensions: Int?
}

/// The part of the `/v1/embeddings` response the embedder reads.
private struct EmbeddingsResponse: Decodable {
    struct Item: Decodable {
        let index: Int
        let embedding: [Double]
    }
    let data: [Item]
}
