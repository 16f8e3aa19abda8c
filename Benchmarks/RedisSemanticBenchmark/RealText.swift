import Crypto
import Foundation
import LLMCacheEmbeddings
import LLMCacheTesting

/// Stored and query vectors from real questions, embedded by the native
/// MiniLM: the index then holds what a cache holds, embeddings of text, which
/// cluster by topic (unlike random vectors).
///
/// The distinct questions of the pairs file are stored in a fixed shuffled
/// order, except the second sides of the pairs labelled duplicates: those
/// are the queries, each a human paraphrase of a stored question. At `size`
/// entries, the first `size` questions are stored and the queries are those
/// whose paraphrased question is among them.
struct RealTextVectors {
    /// Every question that may be stored, in storing order.
    let stored: [[Float]]
    /// Each query's vector and the index in `stored` of the question it paraphrases.
    let queries: [(vector: [Float], partner: Int)]
    /// The text of each stored question and of each query, in the same orders.
    let storedTexts: [String]
    let queryTexts: [String]

    /// The first `size` stored vectors, the queries whose partner is among
    /// them (at most `count`), and the next `extra` questions to store while
    /// lookups run.
    func dataset(size: Int, queries count: Int, extra: Int) -> (stored: [[Float]], queries: [[Float]], extra: [[Float]]) {
        let size = min(size, stored.count - extra)
        let asked = queries.filter { $0.partner < size }.prefix(count).map(\.vector)
        return (Array(stored.prefix(size)), asked, Array(stored[size..<(size + extra)]))
    }

    /// Embeds the pairs with the MiniLM in `modelFolder`, or reads the
    /// vectors of an earlier run from `cacheFolder`: they are kept under a
    /// name derived from the model's weights and the pairs file, so either
    /// changing means embedding again.
    static func load(pairs path: String, modelFolder: String, cacheFolder: String) async throws -> RealTextVectors {
        struct Pair: Decodable {
            let a: String
            let b: String
            let label: Int
        }
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        let pairs = try String(decoding: file, as: UTF8.self).split(separator: "\n")
            .map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)) }
        let duplicates = pairs.filter { $0.label == 1 && $0.a != $0.b }
        let asked = Set(duplicates.map(\.b))
        var seen = Set<String>()
        var storedTexts = pairs.flatMap { [$0.a, $0.b] }.filter { !asked.contains($0) && seen.insert($0).inserted }
        var generator = SeededRandomNumberGenerator(seed: 42)
        storedTexts.shuffle(using: &generator)
        let position = Dictionary(storedTexts.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let queryPairs = duplicates.compactMap { pair in position[pair.a].map { (text: pair.b, partner: $0) } }

        let weights = try Data(contentsOf: URL(fileURLWithPath: modelFolder).appendingPathComponent("model.safetensors"))
        var hasher = SHA256()
        hasher.update(data: weights)
        hasher.update(data: file)
        let name = hasher.finalize().prefix(12).map { String(format: "%02x", $0) }.joined()
        let cache = URL(fileURLWithPath: cacheFolder).appendingPathComponent("minilm-\(name).f32")
        let texts = storedTexts + queryPairs.map(\.text)
        let vectors: [[Float]]
        if let cached = try? Data(contentsOf: cache), cached.count == texts.count * 384 * 4 {
            vectors = cached.withUnsafeBytes { raw in
                let floats = raw.bindMemory(to: Float.self)
                return (0..<texts.count).map { Array(floats[($0 * 384)..<(($0 + 1) * 384)]) }
            }
        } else {
            let model = try await MiniLMEmbedder.load(modelFolder: URL(fileURLWithPath: modelFolder))
            var embedded: [[Float]] = []
            for start in stride(from: 0, to: texts.count, by: 512) {
                embedded += try await model.embed(Array(texts[start..<min(texts.count, start + 512)]))
                FileHandle.standardError.write(Data("embedded \(embedded.count) of \(texts.count) questions\n".utf8))
            }
            try FileManager.default.createDirectory(atPath: cacheFolder, withIntermediateDirectories: true)
            try embedded.flatMap { $0 }.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: cache)
            vectors = embedded
        }
        return RealTextVectors(
            stored: Array(vectors.prefix(storedTexts.count)),
            queries: zip(vectors.dropFirst(storedTexts.count), queryPairs).map { ($0, $1.partner) },
            storedTexts: storedTexts, queryTexts: queryPairs.map(\.text))
    }
}
