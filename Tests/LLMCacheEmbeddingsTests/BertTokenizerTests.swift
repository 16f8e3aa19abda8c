import LLMCacheEmbeddings
import Testing

/// The edge cases of BERT tokenisation, one behaviour per test, on the real
/// all-MiniLM-L6-v2 vocabulary (ids 0, 100, 101, 102 are [PAD], [UNK], [CLS], [SEP]).
@Suite("BERT tokenizer")
struct BertTokenizerTests {
    let tokenizer: BertTokenizer

    init() throws {
        tokenizer = try ModelFiles.tokenizer()
    }

    @Test func emptyAndBlankTextsAreJustTheSpecials() {
        for text in ["", " ", " \t\n\r ", "\u{200B}", "\u{0}\u{FFFD}"] {
            #expect(tokenizer.encode(text) == [101, 102], "\(text.debugDescription)")
        }
    }

    @Test func wordsAreLowerCasedAndSplitIntoWordPieces() {
        #expect(tokenizer.tokenize("Hello WORLD") == ["hello", "world"])
        #expect(tokenizer.tokenize("tokenization") == ["token", "##ization"])
        #expect(tokenizer.encode("Hello") == tokenizer.encode("hello"))
    }

    @Test func accentsAreStrippedAfterDecomposition() {
        #expect(tokenizer.tokenize("Café résumé naïve") == tokenizer.tokenize("cafe resume naive"))
        // Precomposed and combining-mark spellings give the same ids.
        #expect(tokenizer.encode("caf\u{E9}") == tokenizer.encode("cafe\u{301}"))
        // The dakuten of で is a combining mark after NFD: です becomes て ##す.
        #expect(tokenizer.tokenize("です") == ["て", "##す"])
    }

    @Test func cjkIdeographsAreWordsOfTheirOwn() {
        let joined = tokenizer.tokenize("漢字")
        #expect(joined.count == 2)
        #expect(joined == tokenizer.tokenize("漢 字"))
        #expect(!joined.contains { $0.hasPrefix("##") })
        #expect(tokenizer.tokenize("a漢b") == ["a"] + tokenizer.tokenize("漢") + ["b"])
        // Hiragana is not in the CJK ranges: it stays one word, split by WordPiece.
        #expect(tokenizer.tokenize("ひらがな").dropFirst().allSatisfy { $0.hasPrefix("##") })
    }

    @Test func punctuationAndAsciiSymbolsAreSplitOff() {
        #expect(tokenizer.tokenize("hello,world!") == ["hello", ",", "world", "!"])
        #expect(tokenizer.tokenize("a+b=c") == ["a", "+", "b", "=", "c"])
        #expect(tokenizer.tokenize("$5 | ~x") == ["$", "5", "|", "~", "x"])
        // Unicode punctuation too (an em dash, guillemets).
        #expect(tokenizer.tokenize("a—b «c»") == ["a", "—", "b", "«", "c", "»"])
    }

    @Test func aWordLongerThan100CharactersIsOneUnknown() {
        #expect(tokenizer.encode(String(repeating: "a", count: 101)) == [101, 100, 102])
        #expect(tokenizer.encode("x " + String(repeating: "ab", count: 51) + " y") == [101, 1060, 100, 1061, 102])
        // 100 characters is still split into pieces.
        #expect(!tokenizer.encode(String(repeating: "a", count: 100)).contains(100))
        // Characters are counted after accent stripping: 60 "é" written with combining
        // marks are 120 scalars of input but a 60-character word.
        #expect(!tokenizer.encode(String(repeating: "e\u{301}", count: 60)).contains(100))
    }

    @Test func aWordThatCannotBeSplitIsOneUnknown() {
        // No token continues "ab" with an emoji: the whole word is [UNK], not "ab" + [UNK].
        #expect(tokenizer.encode("ab😀") == [101, 100, 102])
        #expect(tokenizer.encode("ab 😀") == [101, tokenizer.vocabulary.id(for: "ab")!, 100, 102])
    }

    @Test func controlAndFormatCharactersVanish() {
        #expect(tokenizer.encode("a\u{200B}b") == tokenizer.encode("ab"))  // zero-width space (Cf)
        #expect(tokenizer.encode("\u{FEFF}hello") == tokenizer.encode("hello"))  // byte-order mark
        #expect(tokenizer.encode("a\u{7}b") == tokenizer.encode("ab"))  // BEL (Cc)
        #expect(tokenizer.encode("a\u{A0}b\u{3000}c") == tokenizer.encode("a b c"))  // Unicode spaces
    }

    @Test func specialTokenTextsBecomeTheirIDsOnlyWhenExact() {
        #expect(tokenizer.encode("[PAD]") == [101, 0, 102])
        #expect(tokenizer.encode("[CLS]") == [101, 101, 102])
        #expect(tokenizer.encode("[MASK] x") == [101, 103, 1060, 102])
        #expect(tokenizer.encode("a[SEP]b") == [101, 1037, 102, 1038, 102])
        // Lower case, or with a space inside, is plain text.
        #expect(!tokenizer.encode("[pad]").contains(0))
        #expect(tokenizer.tokenize("[ PAD ]") == ["[", "pad", "]"])
    }

    @Test func longTextsAreTruncatedTo256IDsIncludingTheSpecials() {
        let text = Array(repeating: "the quick brown fox jumps over the lazy dog.", count: 60).joined(separator: " ")
        let full = tokenizer.encode(text, maxLength: 10_000)
        #expect(full.count == 2 + 60 * 10)
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == 101 && ids.last == 102)
        #expect(Array(ids.dropLast()) == Array(full.prefix(255)))
        #expect(tokenizer.encode(text, maxLength: 2) == [101, 102])
        #expect(tokenizer.encode("hello world", maxLength: 3) == [101, 7592, 102])
    }

    @Test func shortTextsAreNotPadded() {
        #expect(tokenizer.encode("hello world") == [101, 7592, 2088, 102])
    }
}
