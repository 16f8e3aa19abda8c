// Written by `llmcache train-verifier --swift`; do not edit by hand.
// llmcache train-verifier on 58426 pairs of qqp-train.jsonl, all-MiniLM-L6-v2, floor 0.80, target false positives 1.75%, meaning flips
extension VerifierModel {
    /// The model semantic tiers use by default (see README, "Verifying semantic candidates").
    public static let shipped = VerifierModel(
        withAlignment: Weights(
            features: ["similarity", "numbers_differ", "negation_differs", "antonym_pair", "opposite_relation", "units_differ", "word_overlap", "only_in_query", "only_in_candidate", "length_ratio", "word_order_swaps", "token_precision", "token_recall", "token_order_swaps"],
            means: [0.913033, 0.0, 0.21648519, 0.036864497, 0.04632581, 0.0027547416, 0.7264195, 0.1731202, 0.17209794, 0.8527371, 0.13089767, 0.89153105, 0.89215475, 0.16832715],
            scales: [0.057283208, 1.0, 0.4118487, 0.18842906, 0.21018974, 0.05241329, 0.25044367, 0.20344749, 0.20461121, 0.14639674, 0.29830813, 0.104226544, 0.1049089, 0.2784934],
            weights: [0.9749039, 0.0, -0.72695416, -0.40907273, -0.37172043, -0.08527377, -0.15267202, 0.11513618, 0.10311033, -0.2578419, -0.1691748, -0.11838099, -0.087840684, -0.1601911],
            bias: -0.049285803, minimumProbability: 0.76982963),
        lexical: Weights(
            features: ["similarity", "numbers_differ", "negation_differs", "antonym_pair", "opposite_relation", "units_differ", "word_overlap", "only_in_query", "only_in_candidate", "length_ratio", "word_order_swaps"],
            means: [0.91301924, 0.0, 0.21655785, 0.03684006, 0.046295095, 0.002752915, 0.72631264, 0.17317839, 0.17215678, 0.8527073, 0.13081089],
            scales: [0.057286654, 1.0, 0.4118987, 0.18836896, 0.21012343, 0.05239596, 0.25072014, 0.20370659, 0.20486838, 0.1464008, 0.29822826],
            weights: [0.9073862, 0.0, -0.7231981, -0.40888909, -0.3682187, -0.082477614, -0.24651565, 0.10407532, 0.10136747, -0.2459065, -0.27713498],
            bias: -0.043225795, minimumProbability: 0.7666103),
        minimumSimilarity: 0.8,
        provenance: "llmcache train-verifier on 58426 pairs of qqp-train.jsonl, all-MiniLM-L6-v2, floor 0.80, target false positives 1.75%, meaning flips")
}
