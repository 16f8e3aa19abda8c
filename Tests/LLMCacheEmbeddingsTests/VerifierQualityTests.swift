import Foundation
import LLMCache
import LLMCacheEmbeddings
import Testing

/// The shipped verifier with the real model, on the project's own
/// adversarial pairs (Benchmarks/data/adversarial-pairs.jsonl): every base
/// question stored, every meaning flip and paraphrase of it asked.
@Suite("Verifier with MiniLM")
struct VerifierQualityTests {
    struct Pair: Decodable {
        var a: String
        var b: String
        var label: Int
        var kind: String
    }

    static let pairs: [Pair] = {
        let file = ModelFiles.packageRoot.appendingPathComponent("Benchmarks/data/adversarial-pairs.jsonl")
        let data = (try? Data(contentsOf: file)) ?? Data()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Pair.self, from: Data($0)) }
    }()

    @Test func meaningFlipsAreRefusedAndParaphrasesStillServed() async throws {
        #expect(Self.pairs.count >= 300, "the adversarial pairs file is readable")
        let embedder = CachingEmbedder(try MiniLMEmbedder(modelFolder: ModelFiles.folder))
        // No embedding deadline: this measures quality, and a loaded CI machine can be slow.
        let tier = MemorySemanticTier(embedder: embedder, configuration: .init(maxEntries: 1000, embeddingTimeout: nil))
        let now = CacheTime(millisecondsSince1970: 0)
        for base in Set(Self.pairs.map(\.a)).sorted() {
            try await tier.store(CacheEntry(value: Array(base.utf8), createdAt: now), for: CacheQuery(request: base))
        }
        var served: [String: (hits: Int, total: Int)] = [:]
        for pair in Self.pairs {
            let hit = try await tier.lookup(CacheQuery(request: pair.b))
            // A flip is served if anything answers it; a paraphrase only by its own base.
            let counts = hit.map { pair.label == 0 || String(decoding: $0.entry.value, as: UTF8.self) == pair.a } ?? false
            served[pair.kind, default: (0, 0)].total += 1
            if counts { served[pair.kind, default: (0, 0)].hits += 1 }
        }
        // The kinds the verifier has rules or strong evidence for are never served…
        for kind in ["number", "negation", "antonym", "entity"] {
            #expect(served[kind]?.hits == 0, "\(kind) flips served: \(served[kind].map { "\($0.hits)/\($0.total)" } ?? "none")")
        }
        // …the harder kinds rarely, and most paraphrases still are.
        let flips = served.filter { $0.key != "paraphrase" }.values
        let flipShare = Double(flips.map(\.hits).reduce(0, +)) / Double(flips.map(\.total).reduce(0, +))
        #expect(flipShare < 0.1, "share of all meaning flips served: \(flipShare)")
        let paraphrases = try #require(served["paraphrase"])
        #expect(Double(paraphrases.hits) / Double(paraphrases.total) > 0.4, "paraphrases served: \(paraphrases)")
    }

    @Test func textsOfUnknownTokensNeverMatch() async throws {
        let embedder = try MiniLMEmbedder(modelFolder: ModelFiles.folder)
        let texts = ["🍕🍔🍟 สวัสดีชาวโลก", "🚗🚕🚙 ❤️"]
        let encodings = try await embedder.encode(texts)
        let similarity = zip(encodings[0].vector, encodings[1].vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(similarity > 0.95, "the vectors alone would serve one for the other")
        let tokens = try #require(encodings[0].tokens)
        #expect(tokens.unknownShare > 0.5)
        let comparison = SemanticComparison(
            query: texts[1], candidate: texts[0], similarity: similarity, queryTokens: encodings[1].tokens,
            candidateTokens: encodings[0].tokens)
        #expect(await !LearnedVerifier().allows(comparison))
        // An ordinary question has few unknown tokens and content tokens to align.
        let plain = try #require(try await embedder.encode(["How do I reset my password?"])[0].tokens)
        #expect(plain.unknownShare == 0 && plain.count >= 2)
    }

    @Test func aLongPromptKeepsItsFirstSixtyFourContentTokens() async throws {
        let embedder = try MiniLMEmbedder(modelFolder: ModelFiles.folder)
        let long = (0..<120).map { "topic\($0) matters" }.joined(separator: " and ")
        let tokens = try #require(try await embedder.encode([long])[0].tokens)
        #expect(tokens.count == 64)
        #expect(tokens.tokenCount > 200, "every token is still counted")
    }
}
