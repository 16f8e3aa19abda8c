/// The numbers a ``VerifierModel`` turns into a probability: the sentence
/// similarity, lexical evidence and, with token vectors, the alignment.
///
/// Public so that a model can be trained elsewhere from the same features
/// (`llmcache train-verifier --features-out` writes them).
public struct VerifierFeatures: Sendable {
    /// Features every comparison has.
    public static let lexicalNames = [
        "similarity", "numbers_differ", "negation_differs", "antonym_pair", "opposite_relation", "units_differ",
        "word_overlap", "only_in_query", "only_in_candidate", "length_ratio", "word_order_swaps",
    ]
    /// Features of comparisons with both texts' token vectors.
    public static let alignmentNames = ["token_precision", "token_recall", "token_order_swaps"]

    /// The names of ``values``, in order: ``lexicalNames``, then
    /// ``alignmentNames`` when token vectors were compared.
    public let names: [String]
    public let values: [Float]
    /// The larger share of `[UNK]` tokens of the two texts (0 without token vectors).
    public let unknownShare: Float
    /// Whether the two texts hold different numbers.
    public let numbersDiffer: Bool

    private init(names: [String], values: [Float], unknownShare: Float, numbersDiffer: Bool) {
        self.names = names
        self.values = values
        self.unknownShare = unknownShare
        self.numbersDiffer = numbersDiffer
    }

    /// The features of the same comparison without token vectors: what the
    /// lexical model sees (training fits both from one computation).
    public var withoutAlignment: VerifierFeatures {
        VerifierFeatures(
            names: Self.lexicalNames, values: Array(values.prefix(Self.lexicalNames.count)), unknownShare: 0,
            numbersDiffer: numbersDiffer)
    }

    public init(_ comparison: SemanticComparison) {
        let lexical = LexicalComparison(query: comparison.query, candidate: comparison.candidate)
        func flag(_ value: Bool) -> Float { value ? 1 : 0 }
        var values: [Float] = [
            comparison.similarity, flag(lexical.numbersDiffer), flag(lexical.negationDiffers),
            flag(lexical.antonymPair), flag(lexical.oppositeRelation), flag(lexical.unitsDiffer), lexical.overlap,
            lexical.onlyInQuery, lexical.onlyInCandidate, lexical.lengthRatio, lexical.orderSwaps,
        ]
        var names = Self.lexicalNames
        var unknownShare: Float = 0
        if let queryTokens = comparison.queryTokens, let candidateTokens = comparison.candidateTokens {
            unknownShare = max(queryTokens.unknownShare, candidateTokens.unknownShare)
            if let alignment = TokenAlignment(query: queryTokens, candidate: candidateTokens) {
                values += [alignment.precision, alignment.recall, alignment.orderSwaps]
                names += Self.alignmentNames
            }
        }
        self.names = names
        self.values = values
        self.unknownShare = unknownShare
        numbersDiffer = lexical.numbersDiffer
    }

    /// Whether the alignment features are present.
    public var hasAlignment: Bool { names.count > Self.lexicalNames.count }
}
