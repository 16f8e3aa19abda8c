/// Turns texts into vectors whose cosine similarity reflects meaning.
///
/// Lives in the core so semantic tiers can be written against it without
/// knowing whether vectors come from a local model or an HTTP service.
public protocol Embedder: Sendable {
    /// Names the model and its settings. Two embedders with the same
    /// identifier must produce the same vectors, which lets tiers share one
    /// embedding per request and keeps indexes of different models apart.
    var identifier: String { get }

    /// The length of every vector this embedder returns.
    var dimensions: Int { get }

    /// One vector per text, in order. Vectors should be L2-normalised; tiers
    /// normalise again, so a slightly-off norm is harmless.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

/// Checks and L2-normalises an embedding, so that a dot product is the cosine
/// similarity. Rejects the wrong length, NaN or infinite components and the
/// zero vector with `.invalidEmbedding`.
public func normalizedEmbedding(_ vector: [Float], dimensions: Int) throws(CacheError) -> [Float] {
    guard vector.count == dimensions else {
        throw CacheError(.invalidEmbedding, "embedding has \(vector.count) dimensions, expected \(dimensions)")
    }
    var sumOfSquares: Float = 0
    for component in vector {
        guard component.isFinite else {
            throw CacheError(.invalidEmbedding, "embedding contains a NaN or infinite component")
        }
        sumOfSquares += component * component
    }
    guard sumOfSquares > 0, sumOfSquares.isFinite else {
        throw CacheError(.invalidEmbedding, "embedding has zero or overflowing norm")
    }
    let scale = 1 / sumOfSquares.squareRoot()
    return vector.map { $0 * scale }
}

/// An embedder that also hands out each text's contextual token vectors,
/// computed in the same forward pass as the sentence vector.
///
/// A verifier that aligns two texts token by token (``LearnedVerifier``)
/// needs them; getting them from the pass that produced the sentence vector
/// costs nothing extra, where encoding the texts again would double the work.
public protocol TokenEmbedder: Embedder {
    /// One encoding per text, in order, with ``TextEncoding/tokens`` set
    /// whenever the underlying model provides token vectors.
    func encode(_ texts: [String]) async throws -> [TextEncoding]
}

/// A text's sentence vector and, from a ``TokenEmbedder``, its token vectors.
public struct TextEncoding: Sendable, Hashable {
    /// The sentence vector, L2-normalised.
    public var vector: [Float]
    /// The content tokens' vectors; `nil` from an embedder without them.
    public var tokens: TokenVectors?

    public init(vector: [Float], tokens: TokenVectors? = nil) {
        self.vector = vector
        self.tokens = tokens
    }
}
