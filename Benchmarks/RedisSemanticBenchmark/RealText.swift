import Foundation
import LLMCacheEmbeddings

/// Stored and query vectors from real questions, embedded by the native
/// MiniLM: the index then holds what a cache holds, embeddings of text, which
/// cluster by topic (unlike random vectors).
///
/// Every distinct question of the pairs file is stored, except the second
/// sides of the pairs labelled duplicates: those are the queries, each a
/// human paraphrase of a stored question.
struct RealTextVectors {
    let stored: [[Float]]
    let queries: [[Float]]

    static func embed(pairs path: String, modelFolder: String) async throws -> RealTextVectors {
        struct Pair: Decodable {
            let a: String
            let b: String
            let label: Int
        }
        let pairs = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)) }
        let queryTexts = pairs.filter { $0.label == 1 }.map(\.b)
        let asked = Set(queryTexts)
        var seen = Set<String>()
        let storedTexts = pairs.flatMap { [$0.a, $0.b] }.filter { !asked.contains($0) && seen.insert($0).inserted }
        let model = try await MiniLMEmbedder.load(modelFolder: URL(fileURLWithPath: modelFolder))
        return RealTextVectors(stored: try await model.embed(storedTexts), queries: try await model.embed(queryTexts))
    }
}
