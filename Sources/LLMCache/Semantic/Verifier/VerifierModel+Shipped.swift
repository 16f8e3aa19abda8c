// Written by `llmcache train-verifier --swift`; do not edit by hand.
extension VerifierModel {
    /// The model semantic tiers use by default (see README, "Verifier").
    public static let shipped = VerifierModel(
        withAlignment: Weights(
            features: VerifierFeatures.lexicalNames + VerifierFeatures.alignmentNames,
            means: Array(repeating: 0, count: 17), scales: Array(repeating: 1, count: 17),
            weights: [10] + Array(repeating: 0, count: 16), bias: -9.3, minimumProbability: 0.5),
        lexical: Weights(
            features: VerifierFeatures.lexicalNames, means: Array(repeating: 0, count: 11),
            scales: Array(repeating: 1, count: 11), weights: [10] + Array(repeating: 0, count: 10), bias: -9.3,
            minimumProbability: 0.5),
        minimumSimilarity: 0.93, provenance: "untrained placeholder")
}
