import LLMCacheEmbeddings
import Testing

/// Characters on which a tokenizer built on today's Unicode tables would part
/// from the reference (Hugging Face tokenizers, Unicode 8.0 categories and 9.0
/// decompositions). Expected ids are what tokenizers 0.23.3 gives.
@Suite("Unicode as the reference tokenizer knows it")
struct ReferenceUnicodeTests {
    let tokenizer: BertTokenizer

    init() throws {
        tokenizer = try ModelFiles.tokenizer()
    }

    @Test func charactersNewerThanTheReferenceStayInsideTheWord() {
        #expect(tokenizer.encode("a\u{2E5D}b") == [101, 100, 102])  // punctuation since Unicode 14
        #expect(tokenizer.encode("a\u{378}b") == [101, 100, 102])  // unassigned: kept, not removed
    }

    @Test func charactersWhoseCategoryChangedSinceUnicode8UseTheOldOne() {
        #expect(tokenizer.encode("a\u{166D}b") == [101, 1037, 100, 1038, 102])  // was punctuation
        #expect(tokenizer.encode("a\u{111C9}b") == [101, 1037, 100, 1038, 102])  // was punctuation
        #expect(tokenizer.encode("a\u{1885}b") == [101, 100, 102])  // was a letter, now a mark
        #expect(tokenizer.encode("e\u{1734}") == [101, 1041, 102])  // was a non-spacing mark
    }

    @Test func decompositionsNewerThanTheReferenceAreNotApplied() {
        // DIVES AKURU VOWEL SIGN O (Unicode 13) decomposes today, not for the reference.
        #expect(BasicTokenizer().normalize("\u{11938}") == "\u{11938}")
    }

    @Test func theCJKRangesAreTheReferencesOwn() {
        #expect(tokenizer.encode("a\u{2B820}b") == [101, 100, 102])
        #expect(tokenizer.encode("a\u{2B920}b") == [101, 1037, 100, 1038, 102])
    }

    @Test func lowerCasingIsPerCharacter() {
        #expect(tokenizer.encode("ΣΑΣ") == [101, 1173, 14608, 29733, 102])  // no final sigma
        #expect(tokenizer.encode("İ") == [101, 1045, 102])
    }

    @Test func separatorsAndControlsAreClassedLikeTheReference() {
        #expect(tokenizer.encode("x\u{180E}y") == [101, 1060, 2100, 102])  // Mongolian vowel separator: format, removed
        #expect(tokenizer.encode("a\u{2028}b") == [101, 1037, 1038, 102])  // line separator: whitespace
        #expect(tokenizer.encode("a\u{85}b") == [101, 11113, 102])  // NEL: a control before whitespace
        #expect(tokenizer.encode("a\u{E000}b") == [101, 11113, 102])  // private use: removed
    }
}
