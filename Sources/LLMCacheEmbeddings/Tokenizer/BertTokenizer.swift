#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The tokenizer of all-MiniLM-L6-v2 (BERT uncased): text in, the input ids the
/// model sees out, identical to what sentence-transformers feeds the model.
///
/// The steps, in the reference's order:
/// 1. the special tokens' texts (`[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`)
///    are found in the *raw* text, case-sensitively, and become their ids
///    directly (so the text "[PAD]" is id 0, while "[pad]" is just brackets and
///    letters); the text between them is tokenised piece by piece;
/// 2. each piece goes through ``BasicTokenizer`` (normalise, split into words)
///    and each word through ``WordPieceTokenizer``;
/// 3. the ids are wrapped in `[CLS]` … `[SEP]` and truncated to `maxLength`
///    ids *including* those two, as sentence-transformers truncates at 256
///    although the model's positions allow 512.
public struct BertTokenizer: Sendable {
    /// The sequence length sentence-transformers uses for this model.
    public static let defaultMaxLength = 256
    /// The texts that are matched in raw input and replaced by their ids.
    public static let specialTokenTexts = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public let vocabulary: Vocabulary
    public let basicTokenizer: BasicTokenizer
    public let wordPiece: WordPieceTokenizer
    /// `[CLS]`, which starts every sequence.
    public let classifierID: Int32
    /// `[SEP]`, which ends every sequence.
    public let separatorID: Int32

    /// Special tokens present in the vocabulary, longest text first (the
    /// reference takes the longest match at the leftmost position).
    private let specialTokens: [SpecialToken]

    private struct SpecialToken: Sendable {
        let bytes: [UInt8]
        let id: Int32
    }

    /// Reads `vocab.txt` from a model folder (the one `scripts/model.sh` fills).
    public init(modelFolder: URL) throws(EmbeddingError) {
        try self.init(vocabulary: Vocabulary(contentsOf: modelFolder.appendingPathComponent("vocab.txt")))
    }

    /// Throws ``EmbeddingError/Code/malformedModelFile`` if the vocabulary lacks
    /// `[UNK]`, `[CLS]` or `[SEP]`.
    public init(vocabulary: Vocabulary) throws(EmbeddingError) {
        func required(_ text: String) throws(EmbeddingError) -> Int32 {
            guard let id = vocabulary.id(for: text) else {
                throw Vocabulary.malformed(vocabulary.source, "it has no \(text) token")
            }
            return id
        }
        classifierID = try required("[CLS]")
        separatorID = try required("[SEP]")
        self.vocabulary = vocabulary
        basicTokenizer = BasicTokenizer()
        wordPiece = try WordPieceTokenizer(vocabulary: vocabulary)
        specialTokens = Self.specialTokenTexts
            .compactMap { text in vocabulary.id(for: text).map { SpecialToken(bytes: Array(text.utf8), id: $0) } }
            .sorted { $0.bytes.count > $1.bytes.count }
    }

    /// The model's input ids for `text`: `[CLS]`, the text's tokens, `[SEP]`,
    /// at most `maxLength` ids in all (the text's tokens are cut, never the
    /// two specials). `maxLength` must be at least 2.
    public func encode(_ text: String, maxLength: Int = Self.defaultMaxLength) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        let budget = maxLength - 2
        var ids: [Int32] = [classifierID]
        ids.reserveCapacity(min(maxLength, text.utf8.count + 2))
        forEachPiece(of: text) { piece in
            switch piece {
            case .special(let id):
                ids.append(id)
            case .text(let text):
                for word in basicTokenizer.words(in: text) {
                    // Stop once the budget is full: later words cannot survive truncation.
                    if ids.count > budget { break }
                    wordPiece.appendIDs(of: word, to: &ids)
                }
            }
            return ids.count <= budget
        }
        if ids.count > budget + 1 { ids.removeSubrange((budget + 1)...) }
        ids.append(separatorID)
        return ids
    }

    /// The token texts of `text`, without `[CLS]`/`[SEP]` and untruncated: for
    /// looking at what the model sees.
    public func tokenize(_ text: String) -> [String] {
        var ids: [Int32] = []
        forEachPiece(of: text) { piece in
            switch piece {
            case .special(let id):
                ids.append(id)
            case .text(let text):
                for word in basicTokenizer.words(in: text) { wordPiece.appendIDs(of: word, to: &ids) }
            }
            return true
        }
        return ids.map { vocabulary.token(for: $0) ?? "" }
    }

    private enum Piece {
        case text(Substring)
        case special(Int32)
    }

    /// Calls `body` with the raw text between special tokens and with the
    /// special tokens' ids, in order, until it returns false.
    private func forEachPiece(of text: String, _ body: (Piece) -> Bool) {
        let utf8 = text.utf8
        var pieceStart = utf8.startIndex
        var index = utf8.startIndex
        while index < utf8.endIndex {
            // Every special token starts with "[": a cheap test before comparing.
            guard utf8[index] == UInt8(ascii: "["),
                let special = specialTokens.first(where: { utf8[index...].starts(with: $0.bytes) })
            else {
                index = utf8.index(after: index)
                continue
            }
            // "[" and "]" are ASCII, so these indices fall on scalar boundaries.
            if pieceStart < index, !body(.text(text[pieceStart..<index])) { return }
            if !body(.special(special.id)) { return }
            index = utf8.index(index, offsetBy: special.bytes.count)
            pieceStart = index
        }
        if pieceStart < utf8.endIndex { _ = body(.text(text[pieceStart...])) }
    }
}
