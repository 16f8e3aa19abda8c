import LLMCache

/// Reproducible random unit vectors, and vectors at an exact cosine
/// similarity to a given one: stand-ins for embeddings in tests and
/// benchmarks, where "a paraphrase" is a stored vector moved a known distance.
public struct RandomVectors: Sendable {
    public let dimensions: Int
    private var generator: SeededRandomNumberGenerator

    public init(dimensions: Int, seed: UInt64) {
        precondition(dimensions > 1, "need at least two dimensions")
        self.dimensions = dimensions
        self.generator = SeededRandomNumberGenerator(seed: seed)
    }

    /// A unit vector with uniformly drawn components before normalisation.
    public mutating func unit() -> [Float] {
        Self.normalized((0..<dimensions).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    /// A unit vector whose cosine similarity to the unit vector `vector` is
    /// exactly `cosine` (up to rounding), in a random direction.
    public mutating func near(_ vector: [Float], cosine: Float) -> [Float] {
        let noise = unit()
        let along = zip(noise, vector).reduce(0) { $0 + $1.0 * $1.1 }
        let across = Self.normalized(zip(noise, vector).map { $0 - along * $1 })
        let sine = (1 - cosine * cosine).squareRoot()
        return zip(vector, across).map { cosine * $0 + sine * $1 }
    }

    private static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }
}
