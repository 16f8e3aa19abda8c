import LLMCache
import LLMCacheTesting

/// The embedder a semantic tier is given when the benchmark supplies every
/// vector itself: it only tells the tier the model's name and dimension, so
/// the figures measure the index, not a model.
public struct PrecomputedVectors: Embedder {
    public let dimensions: Int

    public init(dimensions: Int = 384) { self.dimensions = dimensions }

    public var identifier: String { "benchmark-random-\(dimensions)" }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        throw CacheError(.embeddingFailed, "vectors are precomputed")
    }

    /// `count` random unit vectors: the hardest case for a graph index (no clusters).
    public func storedVectors(_ count: Int, seed: UInt64 = 1) -> [[Float]] {
        var vectors = RandomVectors(dimensions: dimensions, seed: seed)
        return (0..<count).map { _ in vectors.unit() }
    }

    /// `count` queries, each a randomly chosen stored vector moved to a cosine
    /// similarity between 0.80 and 0.95, as a paraphrase is.
    public func paraphrases(of stored: [[Float]], count: Int) -> [[Float]] {
        var random = SeededRandomNumberGenerator(seed: 2)
        var noise = RandomVectors(dimensions: dimensions, seed: 3)
        return (0..<count).map { _ in
            let source = stored[Int.random(in: 0..<stored.count, using: &random)]
            return noise.near(source, cosine: Float.random(in: 0.80...0.95, using: &random))
        }
    }
}
