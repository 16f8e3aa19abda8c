import Foundation
import LLMCacheEmbeddings

/// libFuzzer target: the MiniLM (BERT uncased) tokenizer on arbitrary text —
/// special tokens, normalisation, word splitting, WordPiece — and
/// `Vocabulary(fileContents:)` on arbitrary bytes.
///
/// The vocabulary is the real `vocab.txt` when `LLMCACHE_MINILM_PATH` names
/// the model folder (scripts/fuzz.sh sets it from scripts/model.sh), and
/// otherwise a small built-in one.
let tokenizer: BertTokenizer = {
    if let folder = ProcessInfo.processInfo.environment["LLMCACHE_MINILM_PATH"], !folder.isEmpty {
        do {
            return try BertTokenizer(modelFolder: URL(fileURLWithPath: folder))
        } catch {
            fatalError("cannot read the vocabulary in \(folder): \(error)")
        }
    }
    let tokens = BertTokenizer.specialTokenTexts + [
        "a", "b", "c", "the", "cache", "un", "##able", "##s", "##ing", "é", "##é", "中", "!", "?", ".", "'", "1", "##2",
    ]
    return try! BertTokenizer(vocabulary: Vocabulary(tokens: tokens, source: "built-in fuzz vocabulary"))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    let ids = tokenizer.encode(text)
    guard ids.count >= 2, ids.count <= BertTokenizer.defaultMaxLength,
          ids.first == tokenizer.classifierID, ids.last == tokenizer.separatorID,
          ids.allSatisfy({ tokenizer.vocabulary.token(for: $0) != nil }) else {
        fatalError("encode gave \(ids) for \(text.debugDescription)")
    }
    _ = tokenizer.encode(text, maxLength: 2 + count % 8)
    _ = tokenizer.tokenize(text)
    if let vocabulary = try? Vocabulary(fileContents: Data(bytes), source: "fuzz input") {
        _ = try? BertTokenizer(vocabulary: vocabulary).encode("Hello, [CLS] world!")
    }
    return 0
}
