import Foundation
import LLMCache

/// The all-MiniLM-L6-v2 sentence embedder, computed natively: the exact BERT
/// tokenizer, the 6-layer encoder, mean pooling and L2 normalisation, all
/// from the files `scripts/model.sh` fetches.
///
/// It matches sentence-transformers (cosine ≥ 0.9999 on the reference texts)
/// without Python or a network round-trip, so a semantic cache can embed each
/// request locally in milliseconds.
///
/// The forward pass runs on dedicated threads (see ``Configuration/threads``),
/// never on Swift's cooperative pool; concurrent callers queue there in
/// order. The threads exit when the embedder is released, after finishing
/// the work already queued.
///
/// On CPUs with AVX-512 the inner loops are this package's own kernels over
/// weights packed at load time; elsewhere the products go to OpenBLAS. Both
/// give the same vectors to within float rounding.
public final class MiniLMEmbedder: Embedder {
    /// Settings that change speed and memory, never the vectors.
    public struct Configuration: Sendable {
        /// Threads that compute one forward pass: the embedder's own thread
        /// plus `threads − 1` helpers, which split every product, the
        /// attention heads and the normalisations. Default 2: one per core
        /// of a small machine; more threads than free cores only contend.
        public var threads: Int
        /// The most texts one forward pass encodes together; larger inputs
        /// are split. Bounds memory (about 14 KB per token of a batch).
        public var maxBatchSize: Int

        /// Defaults: 2 BLAS threads, batches of at most 32 texts.
        public init(threads: Int = 2, maxBatchSize: Int = 32) {
            self.threads = threads
            self.maxBatchSize = maxBatchSize
        }
    }

    /// The environment variable that names the model folder when no folder
    /// is passed to ``init(modelFolder:configuration:)``.
    public static let modelPathVariable = "LLMCACHE_MINILM_PATH"

    /// "all-MiniLM-L6-v2": the vectors depend only on the model, not on the
    /// batch size or thread count, so indexes can be shared across settings.
    public let identifier = "all-MiniLM-L6-v2"
    /// 384, the model's hidden size.
    public let dimensions: Int
    /// The model's tokenizer, exposed so callers can count tokens or see
    /// truncation (texts beyond ``maxSequenceLength`` ids are cut).
    public let tokenizer: BertTokenizer
    /// The ids fed to the model per text, `[CLS]` and `[SEP]` included (256).
    public let maxSequenceLength: Int
    /// The settings this embedder was created with.
    public let configuration: Configuration

    /// The implementation of the encoder's inner loops in use.
    var kernels: KernelSet { encoder.kernels }

    private let encoder: BertEncoder
    private let worker: EncoderThread
    private let team: ComputeTeam
    /// Only touched on `worker`'s thread, one pass at a time.
    private let workspace: EncoderWorkspace

    /// Loads the model from `modelFolder`, or else from the folder named by
    /// `LLMCACHE_MINILM_PATH`.
    ///
    /// Throws ``EmbeddingError`` naming the missing or malformed file (and
    /// saying to run `scripts/model.sh`) when the folder is not given, does
    /// not exist, or a file in it is unusable — at init, so a misconfigured
    /// service fails at start-up rather than on its first request.
    public convenience init(modelFolder: URL? = nil, configuration: Configuration = .init()) throws(EmbeddingError) {
        try self.init(modelFolder: modelFolder, configuration: configuration, kernels: .best)
    }

    /// Loads the model with the given implementation of the inner loops;
    /// tests use it to check the portable kernels on any CPU.
    init(modelFolder: URL?, configuration: Configuration, kernels: KernelSet) throws(EmbeddingError) {
        guard configuration.threads >= 1, configuration.maxBatchSize >= 1 else {
            throw EmbeddingError(
                .invalidConfiguration,
                "MiniLMEmbedder needs threads ≥ 1 and maxBatchSize ≥ 1 (got \(configuration.threads) "
                    + "and \(configuration.maxBatchSize))")
        }
        let folder = try Self.resolveFolder(modelFolder)
        let tokenizer = try BertTokenizer(modelFolder: folder)
        // The team exists before the encoder so loading can pack layers in
        // parallel; it must not outlive a failed load.
        let team = ComputeTeam(threads: configuration.threads, name: "minilm-helper")
        let encoder: BertEncoder
        do throws(EmbeddingError) {
            encoder = try BertEncoder(modelFolder: folder, kernels: kernels, team: team)
            let vocabularySize = encoder.configuration.bert.vocabSize
            guard tokenizer.vocabulary.count <= vocabularySize else {
                throw EmbeddingError(
                    .malformedModelFile,
                    "the vocabulary \(tokenizer.vocabulary.source) has \(tokenizer.vocabulary.count) tokens but "
                        + "the model's embeddings have \(vocabularySize) rows: \(EmbeddingError.fetchHint)")
            }
        } catch {
            team.stop()
            throw error
        }
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.configuration = configuration
        dimensions = encoder.dimensions
        maxSequenceLength = encoder.configuration.maxSequenceLength
        worker = EncoderThread(name: "MiniLMEmbedder")
        self.team = team
        workspace = encoder.makeWorkspace(team: team)
    }

    deinit {
        worker.stop()
        team.stop()
    }

    /// One unit vector of ``dimensions`` floats per text, in order; `[]` for
    /// no texts. Tokenising and encoding run on the embedder's own thread; the
    /// calling task is suspended, not blocked, meanwhile.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let tokenizer = tokenizer
        let encoder = encoder
        let maxLength = maxSequenceLength
        let batchSize = configuration.maxBatchSize
        let workspace = workspace
        return await withCheckedContinuation { continuation in
            worker.submit {
                var vectors: [[Float]] = []
                vectors.reserveCapacity(texts.count)
                for start in stride(from: 0, to: texts.count, by: batchSize) {
                    let batch = texts[start..<min(start + batchSize, texts.count)]
                    let ids = batch.map { tokenizer.encode($0, maxLength: maxLength) }
                    vectors += encoder.encode(ids, workspace: workspace)
                }
                continuation.resume(returning: vectors)
            }
        }
    }

    private static func resolveFolder(_ argument: URL?) throws(EmbeddingError) -> URL {
        let folder: URL
        if let argument {
            folder = argument
        } else if let path = ProcessInfo.processInfo.environment[modelPathVariable], !path.isEmpty {
            folder = URL(fileURLWithPath: path, isDirectory: true)
        } else {
            throw EmbeddingError(
                .modelFileMissing,
                "no model folder: pass modelFolder to MiniLMEmbedder or set \(modelPathVariable); "
                    + EmbeddingError.fetchHint)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw EmbeddingError(
                .modelFileMissing, "the model folder \(folder.path) does not exist: \(EmbeddingError.fetchHint)")
        }
        return folder
    }
}
