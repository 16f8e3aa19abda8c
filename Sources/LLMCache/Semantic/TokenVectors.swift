/// The contextual vectors of a text's content tokens, compact enough to be
/// stored with the answer.
///
/// A sentence vector averages a question away: "does Alice follow Bob" and
/// "does Bob follow Alice" share one. The encoder's per-token vectors keep
/// which word sits where, so a verifier can align the two texts token by token
/// (see ``SemanticComparison``). Stored as int8 with one scale per token:
/// about 400 bytes a token for a 384-dimensional model, with alignment scores
/// within 0.01 of the float ones.
public struct TokenVectors: Sendable, Hashable {
    /// The length of every token vector.
    public let dimensions: Int
    /// Every token the encoder saw, special tokens excluded: content tokens
    /// plus function words and punctuation, which are not stored.
    public let tokenCount: Int
    /// Tokens the vocabulary did not know (`[UNK]`): a text made mostly of
    /// them (emoji, rare scripts) has a vector that says little.
    public let unknownCount: Int
    /// The quantized unit vectors, token after token, in text order.
    private let quantized: [Int8]
    private let scales: [Float]

    /// The number of content tokens stored.
    public var count: Int { scales.count }

    /// Quantizes `vectors` (content tokens in text order, any norm: each is
    /// normalised first; a zero vector stays zero, NaN components count as 0).
    ///
    /// - Throws: ``CacheError`` `.invalidEmbedding` when a vector does not
    ///   have `dimensions` components or `dimensions` is not positive.
    public init(vectors: [[Float]], dimensions: Int, tokenCount: Int, unknownCount: Int) throws(CacheError) {
        guard dimensions > 0, vectors.allSatisfy({ $0.count == dimensions }) else {
            throw CacheError(.invalidEmbedding, "token vectors must all have \(dimensions) > 0 components")
        }
        self.dimensions = dimensions
        self.tokenCount = max(tokenCount, vectors.count)
        self.unknownCount = min(max(0, unknownCount), self.tokenCount)
        var quantized: [Int8] = []
        quantized.reserveCapacity(vectors.count * dimensions)
        var scales: [Float] = []
        scales.reserveCapacity(vectors.count)
        for vector in vectors {
            var norm: Float = 0
            var largest: Float = 0
            for component in vector where component.isFinite {
                norm += component * component
                largest = max(largest, abs(component))
            }
            norm = norm.squareRoot()
            let scale = norm > 0 && largest > 0 ? largest / norm / 127 : 0
            let factor = scale > 0 ? 1 / (norm * scale) : 0
            for component in vector {
                let value = component.isFinite ? (component * factor).rounded() : 0
                quantized.append(Int8(max(-127, min(127, value))))
            }
            scales.append(scale)
        }
        self.quantized = quantized
        self.scales = scales
    }

    /// The share of tokens the vocabulary did not know, 0 for no tokens.
    public var unknownShare: Float {
        tokenCount == 0 ? 0 : Float(unknownCount) / Float(tokenCount)
    }

    /// The cosine similarity of every token of `self` (rows) with every token
    /// of `other` (columns), row after row.
    public func similarities(to other: TokenVectors) -> [Float] {
        guard dimensions == other.dimensions else { return [] }
        var result = [Float](repeating: 0, count: count * other.count)
        quantized.withUnsafeBufferPointer { left in
            other.quantized.withUnsafeBufferPointer { right in
                for row in 0..<count {
                    let a = left.baseAddress! + row * dimensions
                    for column in 0..<other.count {
                        let b = right.baseAddress! + column * dimensions
                        var dot: Int32 = 0
                        for index in 0..<dimensions { dot &+= Int32(a[index]) * Int32(b[index]) }
                        result[row * other.count + column] = Float(dot) * scales[row] * other.scales[column]
                    }
                }
            }
        }
        return result
    }
}

extension TokenVectors {
    private static let layoutVersion: UInt8 = 1

    /// The vectors as bytes, for storing inside a cache entry.
    package func serialized(into writer: inout ByteWriter) {
        writer.write(Self.layoutVersion)
        writer.write(UInt32(dimensions))
        writer.write(UInt32(tokenCount))
        writer.write(UInt32(unknownCount))
        writer.write(UInt32(count))
        for scale in scales { writer.write(scale.bitPattern) }
        writer.write(bytes: quantized.map { UInt8(bitPattern: $0) })
    }

    /// Reads what ``serialized(into:)`` wrote; throws `.decodingFailed` on
    /// anything truncated or inconsistent.
    package init(from reader: inout ByteReader) throws(CacheError) {
        let version = try reader.read(UInt8.self)
        guard version == Self.layoutVersion else {
            throw CacheError(.decodingFailed, "unknown token vector layout \(version)")
        }
        let dimensions = Int(try reader.read(UInt32.self))
        let tokenCount = Int(try reader.read(UInt32.self))
        let unknownCount = Int(try reader.read(UInt32.self))
        let count = Int(try reader.read(UInt32.self))
        guard dimensions > 0, dimensions <= 65_536, count <= tokenCount, unknownCount <= tokenCount,
            count <= 1 << 16
        else { throw CacheError(.decodingFailed, "implausible token vector header") }
        var scales: [Float] = []
        scales.reserveCapacity(count)
        for _ in 0..<count {
            let scale = Float(bitPattern: try reader.read(UInt32.self))
            guard scale.isFinite, scale >= 0 else { throw CacheError(.decodingFailed, "invalid token vector scale") }
            scales.append(scale)
        }
        let bytes = try reader.readBytes()
        guard bytes.count == count * dimensions else {
            throw CacheError(.decodingFailed, "token vectors hold \(bytes.count) bytes, expected \(count * dimensions)")
        }
        self.dimensions = dimensions
        self.tokenCount = tokenCount
        self.unknownCount = unknownCount
        self.scales = scales
        self.quantized = bytes.map { Int8(bitPattern: $0) }
    }
}
