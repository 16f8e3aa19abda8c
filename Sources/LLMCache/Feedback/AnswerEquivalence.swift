/// Judges whether two answers to (possibly paraphrased) requests say the
/// same thing: the label of an exploration or a sampled verification.
///
/// Plug in your own for answers that vary in wording (an LLM judge through
/// your chat client, a domain check); it runs off the response path.
public protocol AnswerEquivalence: Sendable {
    /// Whether `fresh`, the model's answer now, and `stored`, the cached
    /// answer, are interchangeable.
    func equivalent(stored: String, fresh: String) async -> Bool
}

/// The default judge: equal after folding case, whitespace and trailing
/// punctuation; otherwise, with an embedder, equal numbers and answer
/// embeddings at least ``minimumSimilarity`` apart.
///
/// Without an embedder only (normalised) identical answers count as
/// equivalent: strict, so that the budget errs towards exploring, never
/// towards serving.
public struct NormalizedAnswerEquivalence: AnswerEquivalence {
    public var embedder: (any Embedder)?
    public var minimumSimilarity: Float

    public init(embedder: (any Embedder)? = nil, minimumSimilarity: Float = 0.9) {
        self.embedder = embedder
        self.minimumSimilarity = minimumSimilarity
    }

    public func equivalent(stored: String, fresh: String) async -> Bool {
        let (left, right) = (Self.normalized(stored), Self.normalized(fresh))
        if left == right { return true }
        guard let embedder, !left.isEmpty, !right.isEmpty,
            NumberAndNegationGuard.numbers(in: left) == NumberAndNegationGuard.numbers(in: right),
            let vectors = try? await embedder.embed([left, right]), vectors.count == 2
        else { return false }
        return cosineSimilarity(vectors[0], vectors[1]) >= minimumSimilarity
    }

    /// Lower-cased, whitespace runs collapsed, trailing punctuation dropped.
    static func normalized(_ text: String) -> String {
        var words = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while let last = words.last, last.isPunctuation { words.removeLast() }
        return words
    }
}
