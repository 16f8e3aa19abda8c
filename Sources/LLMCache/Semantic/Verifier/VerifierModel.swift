#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A logistic model over ``VerifierFeatures``: the probability that two
/// texts ask the same thing, and the probability a match must reach.
///
/// Small and explicit on purpose (a few dozen numbers, readable in a diff):
/// `llmcache train-verifier` learns it deterministically from labelled
/// pairs, and ``shipped`` is the one learned from the Quora training split
/// (see README, "Verifying semantic candidates").
public struct VerifierModel: Sendable, Codable, Hashable {
    /// One logistic regression over standardised features.
    public struct Weights: Sendable, Codable, Hashable {
        /// Feature names, matched against ``VerifierFeatures/names``.
        public var features: [String]
        /// Each feature's training mean and standard deviation.
        public var means: [Float]
        public var scales: [Float]
        public var weights: [Float]
        public var bias: Float
        /// The probability a match must reach to be served.
        public var minimumProbability: Float

        public init(
            features: [String], means: [Float], scales: [Float], weights: [Float], bias: Float,
            minimumProbability: Float
        ) {
            self.features = features
            self.means = means
            self.scales = scales
            self.weights = weights
            self.bias = bias
            self.minimumProbability = minimumProbability
        }

        /// σ(w · standardised x + b); `nil` when `features` does not have
        /// these names in this order.
        public func probability(_ features: VerifierFeatures) -> Float? {
            guard features.names == self.features, weights.count == features.values.count,
                means.count == weights.count, scales.count == weights.count
            else { return nil }
            var logit = bias
            for index in weights.indices {
                let scale = scales[index] > 0 ? scales[index] : 1
                logit += weights[index] * (features.values[index] - means[index]) / scale
            }
            return 1 / (1 + exp(-logit))
        }
    }

    /// For comparisons with token vectors (a ``TokenEmbedder`` such as MiniLM).
    public var withAlignment: Weights
    /// For comparisons of texts alone (any other embedder, or entries stored
    /// without token vectors).
    public var lexical: Weights
    /// The sentence similarity the model was trained above: the threshold to
    /// pair it with.
    public var minimumSimilarity: Float
    /// Where the model was learned, for README and `llmcache` output.
    public var provenance: String

    public init(withAlignment: Weights, lexical: Weights, minimumSimilarity: Float, provenance: String) {
        self.withAlignment = withAlignment
        self.lexical = lexical
        self.minimumSimilarity = minimumSimilarity
        self.provenance = provenance
    }

    /// The weights that apply to `features`.
    public func weights(for features: VerifierFeatures) -> Weights {
        features.hasAlignment ? withAlignment : lexical
    }

    /// Reads a model written by `llmcache train-verifier`.
    ///
    /// - Throws: ``CacheError`` `.decodingFailed` for anything that is not
    ///   such a model, or one whose weights do not match its feature names.
    public init(json: [UInt8]) throws(CacheError) {
        do {
            self = try JSONCoding.decode(VerifierModel.self, from: json)
        } catch {
            throw CacheError(.decodingFailed, "not a verifier model: \(error)")
        }
        for weights in [withAlignment, lexical] {
            let count = weights.features.count
            guard weights.means.count == count, weights.scales.count == count, weights.weights.count == count,
                (weights.means + weights.scales + weights.weights + [weights.bias]).allSatisfy(\.isFinite)
            else { throw CacheError(.decodingFailed, "verifier model weights do not match its features") }
        }
    }

    /// The model as JSON, sorted keys, for `init(json:)`.
    public func json() throws -> [UInt8] {
        try JSONCoding.encode(self)
    }
}
