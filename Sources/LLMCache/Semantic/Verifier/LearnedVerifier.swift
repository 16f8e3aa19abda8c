/// The default verifier of semantic candidates: a learned probability that
/// the two texts ask the same thing, with two rules no model overrides.
///
/// A cosine threshold alone serves "how to upgrade from 1GB to 2GB" for
/// "from 2GB to 1GB" and "jumping onto" for "jumping off". This verifier
/// weighs the sentence similarity with lexical evidence (numbers, units,
/// negation, opposite words, overlap) and, when the embedder is a
/// ``TokenEmbedder``, with how the two texts' tokens align (how much of
/// each the other covers, swapped roles) — see ``VerifierFeatures``. It serves a candidate only
/// if the model's probability reaches its ``VerifierModel/Weights/minimumProbability``.
///
/// The rules: texts with different numbers never match (a model could be
/// talked into it by everything else agreeing), and texts made mostly of
/// `[UNK]` tokens never match (emoji, rare scripts: their vectors collapse
/// and different questions score 1.0).
public struct LearnedVerifier: SemanticGuard {
    /// The semantic tiers' default threshold: 0.90. The shipped model was
    /// trained above 0.80 (``VerifierModel/minimumSimilarity``, below which
    /// its probabilities mean nothing), but of the training pairs it serves,
    /// those under 0.90 are duplicates only 50–68% of the time against
    /// 79–90% above (`llmcache train-verifier` prints the bands), so
    /// candidates under 0.90 are not offered to it.
    public static let defaultThreshold: Float = 0.9

    /// The model deciding.
    public var model: VerifierModel
    /// The largest share of unknown tokens a text may have and still match.
    public var maximumUnknownShare: Float
    /// Added to the model's own minimum probabilities: positive is stricter.
    public var probabilityMargin: Float

    /// - Parameters:
    ///   - model: the learned weights; ``VerifierModel/shipped`` by default.
    ///   - maximumUnknownShare: 0.5: a text half made of `[UNK]` never matches.
    ///   - probabilityMargin: 0 keeps the trained decision point.
    public init(model: VerifierModel = .shipped, maximumUnknownShare: Float = 0.5, probabilityMargin: Float = 0) {
        self.model = model
        self.maximumUnknownShare = maximumUnknownShare
        self.probabilityMargin = probabilityMargin
    }

    /// The probability that the candidate's answer is right for the query;
    /// 0 where a rule forbids the match.
    public func probability(_ comparison: SemanticComparison) -> Float {
        assess(comparison).probability
    }

    public func judge(_ comparison: SemanticComparison) async -> MatchJudgement {
        let assessment = assess(comparison)
        return MatchJudgement(allowed: assessment.probability >= assessment.required, confidence: assessment.probability)
    }

    public func allows(_ comparison: SemanticComparison) async -> Bool {
        decide(comparison)
    }

    public func allows(query: String, candidate: String, similarity: Float) async -> Bool {
        decide(SemanticComparison(query: query, candidate: candidate, similarity: similarity))
    }

    /// The decision, synchronously (calibration and benchmarks call it in bulk).
    public func decide(_ comparison: SemanticComparison) -> Bool {
        let assessment = assess(comparison)
        return assessment.probability >= assessment.required
    }

    /// The model's probability (0 where a rule forbids the match or the
    /// model does not fit the features) and the probability it must reach.
    private func assess(_ comparison: SemanticComparison) -> (probability: Float, required: Float) {
        let features = VerifierFeatures(comparison)
        let weights = model.weights(for: features)
        let required = weights.minimumProbability + probabilityMargin
        guard !features.numbersDiffer, features.unknownShare <= maximumUnknownShare,
            let probability = weights.probability(features)
        else { return (0, max(required, .leastNonzeroMagnitude)) }
        return (probability, required)
    }
}
