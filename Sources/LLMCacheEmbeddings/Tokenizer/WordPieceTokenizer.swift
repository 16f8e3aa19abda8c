/// WordPiece: splits one word (already normalised and pre-tokenised by
/// ``BasicTokenizer``) into vocabulary ids, as BERT was trained to see it.
///
/// Greedy longest-match-first, like the reference implementation: take the
/// longest vocabulary token the word starts with, then the longest
/// continuation token (`##` + text) the rest starts with, and so on. If some
/// rest has no matching token the *whole* word becomes `[UNK]` (not just the
/// rest), and a word longer than ``maxCharactersPerWord`` Unicode scalars is
/// `[UNK]` without trying: both keep a single odd character from producing a
/// long run of pieces the model never saw together.
public struct WordPieceTokenizer: Sendable {
    /// The reference's limit for this model: longer words are one `[UNK]`.
    public static let defaultMaxCharactersPerWord = 100

    public let vocabulary: Vocabulary
    /// The id a word becomes when it cannot be split.
    public let unknownID: Int32
    /// Words with more Unicode scalars than this become `[UNK]`.
    public let maxCharactersPerWord: Int
    /// The trie node of the continuation prefix (`##`); nil if no token has it.
    private let continuationNode: UInt32?

    /// Throws ``EmbeddingError/Code/malformedModelFile`` if the vocabulary has
    /// no `unknownToken`.
    public init(
        vocabulary: Vocabulary, unknownToken: String = "[UNK]", continuationPrefix: String = "##",
        maxCharactersPerWord: Int = Self.defaultMaxCharactersPerWord
    ) throws(EmbeddingError) {
        guard let unknownID = vocabulary.id(for: unknownToken) else {
            throw Vocabulary.malformed(vocabulary.source, "it has no \(unknownToken) token")
        }
        self.vocabulary = vocabulary
        self.unknownID = unknownID
        self.maxCharactersPerWord = maxCharactersPerWord
        continuationNode = vocabulary.trie.node(following: continuationPrefix.utf8)
    }

    /// The ids of one word.
    public func ids(of word: String) -> [Int32] {
        var ids: [Int32] = []
        appendIDs(of: word, to: &ids)
        return ids
    }

    /// Appends the ids of one word (saves an array per word when encoding a text).
    public func appendIDs(of word: String, to ids: inout [Int32]) {
        if word.unicodeScalars.count > maxCharactersPerWord {
            ids.append(unknownID)
            return
        }
        var word = word
        let firstPiece = ids.count
        let complete = word.withUTF8 { bytes -> Bool in
            var start = 0
            while start < bytes.count {
                guard let node = start == 0 ? TokenTrie.root : continuationNode,
                    let match = vocabulary.trie.longestMatch(from: node, in: bytes, at: start)
                else { return false }
                ids.append(match.id)
                start = match.end
            }
            return true
        }
        if !complete {
            ids.removeSubrange(firstPiece...)
            ids.append(unknownID)
        }
    }
}
