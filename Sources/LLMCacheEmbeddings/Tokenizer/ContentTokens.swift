import LLMCache

/// Which of a sequence's token ids carry its content: the rows a verifier
/// aligns (see ``TokenVectors``).
///
/// Special tokens, punctuation, `[UNK]` and one-piece function words ("the",
/// "is", "not") are left out: they align with anything, and negation has a
/// lexical feature of its own. A word split into pieces keeps all of them.
/// At most ``limit`` are kept (the first ones): they are stored with every
/// semantic entry at about 390 bytes each, and a question has a handful.
struct ContentTokens: Sendable {
    /// The most content tokens kept per text (about 25 KB stored).
    static let limit = 64

    private enum Kind: UInt8 {
        case word, continuation, function, punctuation, special, unknown
    }

    private let kinds: [Kind]

    init(vocabulary: Vocabulary) {
        kinds = vocabulary.tokens.map { token in
            if token == "[UNK]" { return .unknown }
            if BertTokenizer.specialTokenTexts.contains(token) || (token.hasPrefix("[unused") && token.hasSuffix("]")) {
                return .special
            }
            if token.hasPrefix("##") { return .continuation }
            if token.allSatisfy({ $0.isPunctuation || $0.isSymbol }) { return .punctuation }
            if EnglishWords.functionWords.contains(token) || EnglishWords.negators.contains(token) { return .function }
            return .word
        }
    }

    /// The positions of `ids` to keep, how many tokens the text had
    /// (special tokens excluded) and how many were `[UNK]`.
    func select(_ ids: [Int32]) -> (positions: [Int], tokens: Int, unknown: Int) {
        var positions: [Int] = []
        var tokens = 0
        var unknown = 0
        func kind(at index: Int) -> Kind {
            let id = Int(ids[index])
            return kinds.indices.contains(id) ? kinds[id] : .special
        }
        for index in ids.indices {
            switch kind(at: index) {
            case .special: continue
            case .unknown: unknown += 1
            case .punctuation: break
            case .word, .continuation:
                if positions.count < Self.limit { positions.append(index) }
            case .function:
                // "no" is a function word, "no ##de" ("node") is not.
                if index + 1 < ids.count, kind(at: index + 1) == .continuation, positions.count < Self.limit {
                    positions.append(index)
                }
            }
            tokens += 1
        }
        return (positions, tokens, unknown)
    }
}
