/// A second opinion on a semantic hit that the vectors allow.
///
/// Embeddings are blind to details that change the answer: "what is 15% of
/// 80" and "what is 25% of 80" sit at a cosine similarity above 0.95. A guard
/// sees both texts and may veto the hit; a user can plug in a cross-encoder or
/// an LLM judge, which is why the check is `async`.
public protocol SemanticGuard: Sendable {
    /// Whether the answer stored for `candidate` may serve `query`, whose
    /// embeddings have cosine similarity `similarity`.
    func allows(query: String, candidate: String, similarity: Float) async -> Bool

    /// The same decision with everything the tier knows about the candidate,
    /// token vectors included; semantic tiers call this one. The default
    /// forwards to ``allows(query:candidate:similarity:)``, so a guard that
    /// only reads texts implements that alone.
    func allows(_ comparison: SemanticComparison) async -> Bool

    /// The decision and, if the guard has one, its probability that the
    /// match is right: an error budget (``ErrorBudget``) learns where that
    /// probability can be trusted. The default wraps ``allows(_:)`` with no
    /// probability, and the budget then weighs the similarity instead.
    func judge(_ comparison: SemanticComparison) async -> MatchJudgement
}

extension SemanticGuard {
    public func allows(_ comparison: SemanticComparison) async -> Bool {
        await allows(query: comparison.query, candidate: comparison.candidate, similarity: comparison.similarity)
    }

    public func judge(_ comparison: SemanticComparison) async -> MatchJudgement {
        MatchJudgement(allowed: await allows(comparison))
    }
}

/// A guard's verdict on one candidate.
public struct MatchJudgement: Sendable, Hashable {
    /// Whether the candidate may be served.
    public var allowed: Bool
    /// The probability in [0, 1] that the candidate's answer is right, if known.
    public var confidence: Float?

    public init(allowed: Bool, confidence: Float? = nil) {
        self.allowed = allowed
        self.confidence = confidence
    }
}

/// The default guard: rejects a match when the two texts contain different
/// numbers, or when one is negated and the other is not.
///
/// Cheap rules that catch the paraphrase-looking pairs whose answers differ;
/// a false veto only costs a model call, a false hit serves a wrong answer.
public struct NumberAndNegationGuard: SemanticGuard {
    public init() {}

    public func allows(query: String, candidate: String, similarity: Float) async -> Bool {
        Self.numbers(in: query) == Self.numbers(in: candidate)
            && Self.isNegated(query) == Self.isNegated(candidate)
    }

    /// The numbers of `text` in order, normalised so that "1,000" equals
    /// "1000" and "0.50" equals "0.5".
    static func numbers(in text: String) -> [String] {
        var numbers: [String] = []
        var current = ""
        func finish() {
            guard !current.isEmpty else { return }
            var number = current
            if number.contains(".") {
                while number.hasSuffix("0") { number.removeLast() }
                if number.hasSuffix(".") { number.removeLast() }
            }
            numbers.append(number)
            current = ""
        }
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character.isASCII, character.isNumber {
                current.append(character)
            } else if (character == "," || character == "."), !current.isEmpty,
                index + 1 < characters.count, characters[index + 1].isASCII, characters[index + 1].isNumber
            {
                if character == "." { current.append(".") }
            } else {
                finish()
            }
        }
        finish()
        return numbers
    }

    private static let negations: Set<String> = [
        "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "cannot",
    ]

    /// True when `text` holds an odd number of negations ("not", "never",
    /// "n't", …): "is it safe" and "is it not safe" then differ, "not
    /// without" cancels out.
    static func isNegated(_ text: String) -> Bool {
        var count = 0
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != "’" }) {
            if negations.contains(String(word)) || word.hasSuffix("n't") || word.hasSuffix("n’t") { count += 1 }
        }
        return count % 2 == 1
    }
}
