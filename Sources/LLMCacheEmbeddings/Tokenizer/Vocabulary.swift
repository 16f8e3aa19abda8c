#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A WordPiece vocabulary: every token text with its id, the id being the
/// token's line number (from 0) in the model's `vocab.txt`.
///
/// The model's embedding matrix is indexed by these ids, so the file must be
/// read exactly: one token per line, nothing trimmed but the line break
/// (`\n`, or `\r\n` for a file that went through Windows). Lookups compare
/// UTF-8 bytes, never `String` equality; see ``TokenTrie`` for why.
public struct Vocabulary: Sendable {
    /// Token texts by id: `tokens[Int(id)]`.
    public let tokens: [String]
    /// Where the tokens came from (a file path), for error messages.
    public let source: String
    /// Every token, for exact lookups and WordPiece's longest matches.
    let trie: TokenTrie

    /// The number of tokens; ids run from 0 to `count - 1`.
    public var count: Int { tokens.count }

    /// Reads a `vocab.txt`.
    ///
    /// Throws ``EmbeddingError/Code/modelFileMissing`` when the file cannot be
    /// read and ``EmbeddingError/Code/malformedModelFile`` when it is not
    /// UTF-8, is empty, has an empty line or repeats a token; both name the file
    /// and say to run `scripts/model.sh`.
    public init(contentsOf url: URL) throws(EmbeddingError) {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EmbeddingError(
                .modelFileMissing, "cannot read the vocabulary \(path): \(EmbeddingError.fetchHint)",
                underlying: error)
        }
        try self.init(fileContents: data, source: path)
    }

    /// Parses the bytes of a `vocab.txt`; `source` names them in errors.
    public init(fileContents data: Data, source: String) throws(EmbeddingError) {
        var tokens: [String] = []
        var lineStart = data.startIndex
        var failure: EmbeddingError?
        func addLine(upTo end: Data.Index) {
            var lineEnd = end
            if lineEnd > lineStart, data[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            guard let token = String(validating: data[lineStart..<lineEnd], as: UTF8.self) else {
                failure = Self.malformed(source, "line \(tokens.count + 1) is not valid UTF-8")
                return
            }
            tokens.append(token)
        }
        for index in data.indices where data[index] == UInt8(ascii: "\n") && failure == nil {
            addLine(upTo: index)
            lineStart = index + 1
        }
        // A last line without a line break still counts; the empty text after a final break does not.
        if failure == nil, lineStart < data.endIndex { addLine(upTo: data.endIndex) }
        if let failure { throw failure }
        try self.init(tokens: tokens, source: source)
    }

    /// A vocabulary from token texts in id order; `source` names them in errors.
    public init(tokens: [String], source: String = "vocabulary") throws(EmbeddingError) {
        guard !tokens.isEmpty else { throw Self.malformed(source, "it holds no tokens") }
        guard tokens.count <= Int(Int32.max) else { throw Self.malformed(source, "it holds too many tokens") }
        var trie = TokenTrie()
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty else { throw Self.malformed(source, "line \(index + 1) is empty") }
            if let first = trie.insert(token.utf8, id: Int32(index)) {
                throw Self.malformed(source, "line \(index + 1) repeats the token \"\(token)\" of line \(first + 1)")
            }
        }
        self.tokens = tokens
        self.source = source
        self.trie = trie
    }

    /// The id of the token whose text is exactly `token` (byte for byte).
    public func id(for token: String) -> Int32? {
        trie.id(of: token.utf8)
    }

    /// The text of the token with this id.
    public func token(for id: Int32) -> String? {
        tokens.indices.contains(Int(id)) ? tokens[Int(id)] : nil
    }

    static func malformed(_ source: String, _ problem: String) -> EmbeddingError {
        EmbeddingError(.malformedModelFile, "malformed vocabulary \(source): \(problem); \(EmbeddingError.fetchHint)")
    }
}
