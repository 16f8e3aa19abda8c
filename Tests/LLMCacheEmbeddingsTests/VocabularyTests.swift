import Foundation
import LLMCacheEmbeddings
import Testing

@Suite("Vocabulary")
struct VocabularyTests {
    @Test func idsAreLineNumbers() throws {
        let vocabulary = try Vocabulary(fileContents: Data("[PAD]\n[UNK]\nhello\n##lo\n".utf8), source: "test")
        #expect(vocabulary.count == 4)
        #expect(vocabulary.id(for: "hello") == 2)
        #expect(vocabulary.id(for: "##lo") == 3)
        #expect(vocabulary.id(for: "hell") == nil)
        #expect(vocabulary.token(for: 1) == "[UNK]")
        #expect(vocabulary.token(for: 4) == nil)
    }

    @Test func windowsLineEndingsAndAMissingFinalBreakAreAccepted() throws {
        let vocabulary = try Vocabulary(fileContents: Data("a\r\nb\r\nc".utf8), source: "test")
        #expect(vocabulary.tokens == ["a", "b", "c"])
    }

    @Test func lookupsCompareBytesNotCanonicalEquivalence() throws {
        // "가" precomposed (U+AC00) and as jamo (U+1100 U+1161) are equal as Swift
        // strings but different tokens to the reference tokenizer.
        let vocabulary = try Vocabulary(tokens: ["[UNK]", "\u{AC00}"])
        #expect(vocabulary.id(for: "\u{AC00}") == 1)
        #expect(vocabulary.id(for: "\u{1100}\u{1161}") == nil)
    }

    @Test func malformedFilesAreRejectedWithTheFileAndTheFix() {
        let cases: [(String, Data)] = [
            ("empty", Data()),
            ("duplicate", Data("a\nb\na\n".utf8)),
            ("empty line", Data("a\n\nb\n".utf8)),
            ("not UTF-8", Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A])),
        ]
        for (name, data) in cases {
            #expect(throws: EmbeddingError.self, "\(name)") {
                try Vocabulary(fileContents: data, source: "/models/vocab.txt")
            }
            do {
                _ = try Vocabulary(fileContents: data, source: "/models/vocab.txt")
            } catch {
                #expect(error.code == .malformedModelFile)
                #expect(error.message.contains("/models/vocab.txt"), "\(name): \(error.message)")
                #expect(error.message.contains("scripts/model.sh"), "\(name): \(error.message)")
            }
        }
    }

    @Test func aMissingFileSaysToRunTheModelScript() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID())")
        do {
            _ = try BertTokenizer(modelFolder: folder)
            Issue.record("loading a missing vocabulary did not throw")
        } catch {
            #expect(error.code == .modelFileMissing)
            #expect(error.message.contains(folder.appendingPathComponent("vocab.txt").path))
            #expect(error.message.contains("scripts/model.sh"))
        }
    }

    @Test func aVocabularyWithoutTheSpecialTokensIsRejected() throws {
        let vocabulary = try Vocabulary(tokens: ["[UNK]", "[CLS]", "hello"], source: "small")
        do {
            _ = try BertTokenizer(vocabulary: vocabulary)
            Issue.record("a vocabulary without [SEP] was accepted")
        } catch {
            #expect(error.code == .malformedModelFile)
            #expect(error.message.contains("[SEP]"))
        }
    }
}
