import Foundation
import LLMCacheEmbeddings
import Testing

/// Where the tests find the model files and the reference data.
///
/// The model folder is `LLMCACHE_MINILM_PATH` if set, else the one
/// `scripts/model.sh` fills under the package root. Tests that need it fail
/// (never skip) when it is missing, with the error telling what to run: a
/// skipped tokenizer test would let a broken tokenizer through CI.
enum ModelFiles {
    /// The package root: this file is at Tests/LLMCacheEmbeddingsTests/.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var folder: URL {
        if let path = ProcessInfo.processInfo.environment["LLMCACHE_MINILM_PATH"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return packageRoot.appendingPathComponent(".cache/models/all-MiniLM-L6-v2", isDirectory: true)
    }

    /// The reference tokenisations and embeddings (see ../shared/data/README.md).
    static let referenceFile = packageRoot.appendingPathComponent("../shared/data/minilm/reference.jsonl").standardized

    /// Every record of the reference file, decoded as `Record` (each test
    /// decodes the fields it needs).
    static func referenceRecords<Record: Decodable>(as: Record.Type = Record.self) throws -> [Record] {
        let data: Data
        do {
            data = try Data(contentsOf: referenceFile)
        } catch {
            Issue.record("cannot read the reference data \(referenceFile.path): \(error)")
            throw error
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            try decoder.decode(Record.self, from: Data(line))
        }
    }

    /// Loaded once for all tests: reading the vocabulary takes a few milliseconds.
    private static let loaded: Result<BertTokenizer, EmbeddingError> = Result { () throws(EmbeddingError) in
        try BertTokenizer(modelFolder: folder)
    }

    /// The model's tokenizer; throws (failing the test) with a message to run
    /// scripts/model.sh if the files are missing.
    static func tokenizer() throws -> BertTokenizer { try loaded.get() }

    /// One embedder for all tests, loaded once off the cooperative pool:
    /// packing the weights takes seconds in a debug build, and tests loading
    /// on the pool's two threads stalled every other test meanwhile.
    private static let loadedEmbedder = Task { () throws(EmbeddingError) -> MiniLMEmbedder in
        try await MiniLMEmbedder.load(modelFolder: folder)
    }

    /// The native embedder; throws (failing the test) with a message to run
    /// scripts/model.sh if the files are missing.
    static func embedder() async throws -> MiniLMEmbedder { try await loadedEmbedder.value }
}
