import Foundation
import LLMCache
import LLMCacheRedis

/// `llmcache inspect --text`: what a text would match, and how closely.
struct TextInspection: Encodable {
    struct Neighbour: Encodable {
        var rank: Int
        /// Cosine similarity to the text, in [-1, 1].
        var similarity: Double
        var key: String
        var container: String
        /// Whether the entry sits in the container a plain-prompt request for
        /// the text searches (other scopes: a chat with another model or
        /// system prompt, another tenant).
        var samePromptScope: Bool
        var aboveThreshold: Bool
        /// The default verifier's verdict (`LearnedVerifier`);
        /// `nil` when the entry has no source text.
        var guardAllows: Bool?
        /// A plain-prompt request for the text would be answered by this entry.
        var wouldServe: Bool
        var ttlMs: Int64?
        var sourceText: String?
        var model: String?
        var createdMs: Int64?
        var tags: [String]
        var answerPreview: String?
    }

    var text: String
    var embedder: String
    var dimensions: Int
    var backend: String
    var threshold: Double
    var version: UInt64
    /// The exact-tier key of the text as a plain prompt.
    var exactKey: String
    var exactKeyExists: Bool
    var exactTtlMs: Int64?
    var promptContainer: String
    var neighbours: [Neighbour]

    static func run(
        text: String, namespace: RedisNamespace, client: RedisClient, embedder: any Embedder, count: Int,
        threshold: Float, backend: RedisSemanticTier.Backend, preview: Int
    ) async throws -> TextInspection {
        let tier = try RedisSemanticTier(
            namespace: namespace, embedder: embedder, configuration: .init(threshold: threshold, backend: backend))
        let resolved = try await tier.resolveBackend()
        let version = namespace.current
        let query = CacheQuery(request: text, namespaceVersion: version)
        let promptContainer = try await tier.containerID(for: query)
        let exactKey = namespace.keyspace.entryKey(query.key, version: version)
        let exactTTL = try await client.execute(.pttl(exactKey))

        let encoding = try await query.embeddings.encoding(of: text, using: embedder, timeout: nil)
        let vector = encoding.vector
        let matchGuard = LearnedVerifier()
        var neighbours: [Neighbour] = []
        for (index, found) in try await tier.neighbours(of: vector, count: count, version: version).enumerated() {
            let ttl = try await client.execute(.pttl(found.key))
            let samePromptScope = found.container == promptContainer
            let above = found.similarity >= threshold
            var allows: Bool?
            if let source = found.entry?.sourceText {
                allows = await matchGuard.allows(
                    SemanticComparison(
                        query: text, candidate: source, similarity: found.similarity, queryTokens: encoding.tokens,
                        candidateTokens: found.entry?.sourceTokens))
            }
            let answer = found.entry.map { entry in
                (try? ChatResponse(cacheEncoded: entry.value).text) ?? String(decoding: entry.value, as: UTF8.self)
            }
            neighbours.append(
                Neighbour(
                    rank: index + 1, similarity: (Double(found.similarity) * 10_000).rounded() / 10_000, key: found.key,
                    container: found.container, samePromptScope: samePromptScope, aboveThreshold: above,
                    guardAllows: allows, wouldServe: samePromptScope && above && allows != false,
                    ttlMs: ttl >= 0 ? ttl : nil, sourceText: found.entry?.sourceText, model: found.entry?.model,
                    createdMs: found.entry?.createdAt.millisecondsSince1970, tags: found.entry?.tags.sorted() ?? [],
                    answerPreview: answer.map { Format.preview($0, limit: preview) }))
        }
        return TextInspection(
            text: text, embedder: embedder.identifier, dimensions: embedder.dimensions, backend: "\(resolved)",
            threshold: Double(threshold), version: version, exactKey: String(decoding: exactKey, as: UTF8.self),
            exactKeyExists: exactTTL != -2, exactTtlMs: exactTTL >= 0 ? exactTTL : nil, promptContainer: promptContainer,
            neighbours: neighbours)
    }

    var table: String {
        var lines = [
            "text \"\(Format.preview(text, limit: 120))\": \(embedder) (\(dimensions) dims), backend \(backend), version \(version)",
            "exact key as a plain prompt: \(exactKey) "
                + (exactKeyExists ? "(stored, ttl \(exactTtlMs.map { Format.span(milliseconds: $0) } ?? "none"))" : "(not stored)"),
            "",
        ]
        guard !neighbours.isEmpty else {
            lines.append("no semantic entries in version \(version) of this namespace for this embedder and backend")
            return lines.joined(separator: "\n")
        }
        var table = TextTable(["#", "similarity", "match", "source text", "ttl", "key"], rightAligned: [0, 1, 4])
        for neighbour in neighbours {
            let match: String
            if neighbour.wouldServe {
                match = "hit"
            } else if neighbour.aboveThreshold && neighbour.guardAllows == false {
                match = "guard veto"
            } else if neighbour.aboveThreshold {
                match = "≥ threshold, other scope"
            } else {
                match = neighbour.samePromptScope ? "below threshold" : "below, other scope"
            }
            table.append([
                "\(neighbour.rank)", String(format: "%.4f", neighbour.similarity), match,
                neighbour.sourceText.map { "\"\(Format.preview($0, limit: 48))\"" } ?? "–",
                neighbour.ttlMs.map { Format.span(milliseconds: $0) } ?? "none", neighbour.key,
            ])
        }
        lines.append(table.rendered)
        lines.append("")
        lines.append(
            "threshold \(String(format: "%.2f", threshold)); \"hit\": a plain-prompt request for this text would be served it "
                + "(same scope, similarity ≥ threshold, the default verifier agrees)")
        return lines.joined(separator: "\n")
    }
}
