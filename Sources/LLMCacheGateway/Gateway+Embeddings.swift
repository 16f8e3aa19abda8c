import Foundation
import HTTPTypes
import Hummingbird
import LLMCache

extension Gateway {
    /// `POST /v1/embeddings`: each input of the batch is an entry of its
    /// own (keyed by the input and every other field of the body), so a
    /// batch that repeats earlier inputs sends only the new ones upstream,
    /// in one call. Embeddings are exact-only: a paraphrase has its own.
    ///
    /// `usage` counts the tokens the upstream charged for this request (0
    /// when every input was cached); `X-LLMCache-Cached-Inputs` says how
    /// many inputs a tier answered.
    func embeddings(_ request: Request) async throws -> Response {
        let bytes = try await collect(request)
        guard case .object(var fields) = try Self.parse(bytes) else {
            throw GatewayError(.badRequest, "the body must be a JSON object")
        }
        let controls = try CacheControls(headers: request.headers, body: fields.removeValue(forKey: "cache"))
        let inputs = try Self.embeddingInputs(fields.removeValue(forKey: "input"))
        let (caller, options) = try callerOptions(request, controls: controls)

        let (scope, itemOptions) = (fields, options)
        let batch = EmbeddingBatch(count: inputs.count) { missing in
            var body = scope
            body["input"] = .array(missing)
            let answer = try await self.upstream.post(
                "/embeddings", body: JSONValue.object(body).canonicalJSON(), caller: caller)
            return try Self.embeddingsInAnswer(answer)
        }
        let results = try await withThrowingTaskGroup(of: (Int, CacheResult<EmbeddingAnswer>).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    defer { batch.settle(index) }
                    let item = GatewayEmbeddingRequest(scope: scope, input: input)
                    return (index, try await self.stack.response(for: item, options: itemOptions) { _ in
                        EmbeddingAnswer(embedding: try await batch.embedding(of: index, input: input))
                    })
                }
            }
            return try await group.reduce(into: [CacheResult<EmbeddingAnswer>?](repeating: nil, count: inputs.count)) {
                $0[$1.0] = $1.1
            }.map { $0! }
        }
        var response = Self.json(Self.embeddingList(results.map(\.value.embedding), fields: fields, tokens: batch.promptTokens))
        let cached = results.filter(\.isCacheHit).count
        response.headers[CacheStatus.name] =
            cached == inputs.count
            ? "llmcache; hit" : cached == 0 ? "llmcache; fwd=miss" + (options.skipStore ? "" : "; stored") : "llmcache; fwd=partial"
        response.headers[Self.cachedInputs] = "\(cached)/\(inputs.count)"
        return response
    }

    static let cachedInputs = HTTPField.Name("X-LLMCache-Cached-Inputs")!

    /// The inputs of a body: a string, or an array of strings or of token
    /// arrays; anything else is a 400.
    static func embeddingInputs(_ input: JSONValue?) throws(GatewayError) -> [JSONValue] {
        switch input {
        case .string: return [input!]
        case .array(let items) where !items.isEmpty:
            // An array of numbers is one tokenised input.
            if items.allSatisfy({ if case .number = $0 { true } else { false } }) { return [input!] }
            guard items.allSatisfy({ if case .string = $0 { true } else if case .array = $0 { true } else { false } })
            else { break }
            return items
        default: break
        }
        throw GatewayError(.badRequest, "\"input\" must be a string or a non-empty array of strings or token arrays")
    }

    /// The embeddings of an upstream answer in input order, each as the JSON
    /// of its `embedding` field (an array or a base64 string).
    static func embeddingsInAnswer(_ answer: [UInt8]) throws -> (embeddings: [[UInt8]], promptTokens: Int) {
        struct List: Decodable {
            struct Item: Decodable {
                var index: Int
                var embedding: JSONValue
            }
            struct Usage: Decodable { var prompt_tokens: Int? }
            var data: [Item]
            var usage: Usage?
        }
        guard let list = try? JSONDecoder().decode(List.self, from: Data(answer)) else {
            throw UpstreamFailure(status: 502, contentType: nil, body: Upstream.errorBody("the upstream's embeddings were not readable"))
        }
        let embeddings = list.data.sorted { $0.index < $1.index }.map { $0.embedding.canonicalJSON() }
        return (embeddings, list.usage?.prompt_tokens ?? 0)
    }

    /// An OpenAI embeddings list around `embeddings` (kept as their bytes).
    static func embeddingList(_ embeddings: [[UInt8]], fields: [String: JSONValue], tokens: Int) -> [UInt8] {
        var body = Array("{\"object\":\"list\",\"data\":[".utf8)
        for (index, embedding) in embeddings.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("{\"object\":\"embedding\",\"index\":\(index),\"embedding\":".utf8) + embedding
            body.append(UInt8(ascii: "}"))
        }
        let model = (fields["model"] ?? .null).canonicalJSON()
        body += Array("],\"model\":".utf8) + model
        body += Array(",\"usage\":{\"prompt_tokens\":\(tokens),\"total_tokens\":\(tokens)}}".utf8)
        return body
    }
}

/// One input of an embeddings request, keyed by the input and the rest of
/// the body (model, dimensions, encoding format, unknown fields).
struct GatewayEmbeddingRequest: CacheableRequest {
    let scope: [String: JSONValue]
    let input: JSONValue

    func fingerprint(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "gateway", "embeddings")
        JSONValue.object(scope).fingerprint(into: &hasher)
        input.fingerprint(into: &hasher)
    }

    var semanticText: String? { nil }

    func semanticScope(into hasher: inout FingerprintHasher) { fingerprint(into: &hasher) }
}

/// One input's embedding as the upstream wrote it.
struct EmbeddingAnswer: CacheValue, Sendable {
    let embedding: [UInt8]
    func cacheEncoded() throws -> [UInt8] { embedding }
    init(embedding: [UInt8]) { self.embedding = embedding }
    init(cacheEncoded bytes: [UInt8]) throws { embedding = bytes }
}
