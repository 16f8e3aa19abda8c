/// Everything a verifier may weigh about one semantic candidate.
///
/// The texts, their sentence similarity from the index, and, when the
/// embedder provides them (``TokenEmbedder``), both texts' token vectors: the
/// query's from the pass that embedded it, the candidate's stored with its
/// entry. Gathered by the semantic tiers for every candidate they consider.
public struct SemanticComparison: Sendable {
    /// The request's semantic text.
    public var query: String
    /// The semantic text the candidate answer was stored for.
    public var candidate: String
    /// The cosine similarity of their sentence vectors.
    public var similarity: Float
    /// The query's token vectors, if the embedder has them.
    public var queryTokens: TokenVectors?
    /// The candidate's token vectors, if they were stored with it.
    public var candidateTokens: TokenVectors?

    public init(
        query: String, candidate: String, similarity: Float, queryTokens: TokenVectors? = nil,
        candidateTokens: TokenVectors? = nil
    ) {
        self.query = query
        self.candidate = candidate
        self.similarity = similarity
        self.queryTokens = queryTokens
        self.candidateTokens = candidateTokens
    }
}
