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
/// never on Swift's cooperative pool. Concurrent callers queue there in order
/// and are merged into shared forward passes of up to
/// ``Configuration/maxBatchSize`` texts, so many small requests cost little
/// more than one batch; the queue is bounded and a cancelled caller's texts
/// leave it (see ``embed(_:)`` and ``statistics``). The threads exit when the
/// embedder is released, after finishing the work already queued.
///
/// On CPUs with AVX-512 the inner loops are this package's own kernels over
/// weights packed at load time; elsewhere the products go to OpenBLAS. Where
/// the CPU also has AVX512-BF16 the weights are kept in bfloat16 by default,
/// which halves a short question's latency (see ``WeightPrecision``); float32
/// weights give the same vectors on every path to within float rounding.
public final class MiniLMEmbedder: TokenEmbedder {
    /// Settings that change speed and memory; only ``weights`` changes the
    /// vectors, and then within cosine 0.9999 of the reference.
    public struct Configuration: Sendable {
        /// Threads that compute one forward pass: the embedder's own thread
        /// plus `threads − 1` helpers, which split every product, the
        /// attention heads and the normalisations. Default 2: one per core
        /// of a small machine; more threads than free cores only contend.
        public var threads: Int
        /// The most texts one forward pass encodes together; larger inputs
        /// are split, and concurrent calls are merged up to this many.
        /// Bounds memory (about 14 KB per token of a batch).
        public var maxBatchSize: Int
        /// How long an idle embedder waits, after a call arrives, for more
        /// calls to share its forward pass. Zero (the default) starts at
        /// once: calls that arrive while a pass runs are merged into the next
        /// one anyway, which is where concurrency comes from, and a lone
        /// caller pays no added latency.
        public var batchWindow: Duration
        /// The most texts that may wait for the encoder; a call that would
        /// go beyond fails at once with ``EmbeddingError/Code/queueFull``
        /// (a single call larger than this is admitted into an empty queue).
        /// Default 1024, about a second of work on two cores: past that a
        /// caller is better served by a fast failure than by the wait.
        public var maxQueuedTexts: Int
        /// How the dense weights are kept: ``WeightPrecision/automatic`` (the
        /// default) takes bfloat16 where the CPU has AVX512-BF16, half the
        /// latency of float32 at cosine ≥ 0.9999 to the reference; choose
        /// ``WeightPrecision/float32`` for the closest vectors.
        public var weights: WeightPrecision

        /// Defaults: 2 BLAS threads, batches of at most 32 texts, no batch
        /// window, at most 1024 texts waiting, automatic weight precision.
        public init(
            threads: Int = 2, maxBatchSize: Int = 32, batchWindow: Duration = .zero, maxQueuedTexts: Int = 1024,
            weights: WeightPrecision = .automatic
        ) {
            self.threads = threads
            self.maxBatchSize = maxBatchSize
            self.batchWindow = batchWindow
            self.maxQueuedTexts = maxQueuedTexts
            self.weights = weights
        }
    }

    /// The environment variable that names the model folder when no folder
    /// is passed to ``init(modelFolder:configuration:)``.
    public static let modelPathVariable = "LLMCACHE_MINILM_PATH"

    /// "all-MiniLM-L6-v2": the vectors depend only on the model, not on the
    /// batch size or thread count, so indexes can be shared across settings.
    /// The weight precision moves them by less than 1e-4 in cosine, far
    /// below any match threshold, so it shares the identifier too.
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
    /// Queues, merges and encodes the calls; owns the only use of the
    /// encoder's workspace, one pass at a time.
    let worker: EncoderThread
    private let team: ComputeTeam

    /// Loads the model from `modelFolder`, or else from the folder named by
    /// `LLMCACHE_MINILM_PATH`.
    ///
    /// Throws ``EmbeddingError`` naming the missing or malformed file (and
    /// saying to run `scripts/model.sh`) when the folder is not given, does
    /// not exist, or a file in it is unusable, and
    /// ``EmbeddingError/Code/unsupportedCPU`` when ``Configuration/weights``
    /// asks for bfloat16 on a CPU without AVX512-BF16 — at init, so a
    /// misconfigured service fails at start-up rather than on its first request.
    public convenience init(modelFolder: URL? = nil, configuration: Configuration = .init()) throws(EmbeddingError) {
        try self.init(modelFolder: modelFolder, configuration: configuration, kernels: configuration.weights.kernels())
    }

    /// Loads the model with the given implementation of the inner loops
    /// (which decides the weight precision, whatever `configuration` says);
    /// tests use it to check the portable kernels on any CPU.
    init(modelFolder: URL?, configuration: Configuration, kernels: KernelSet) throws(EmbeddingError) {
        guard configuration.threads >= 1, configuration.maxBatchSize >= 1, configuration.maxQueuedTexts >= 1,
            configuration.batchWindow >= .zero
        else {
            throw EmbeddingError(
                .invalidConfiguration,
                "MiniLMEmbedder needs threads ≥ 1, maxBatchSize ≥ 1, maxQueuedTexts ≥ 1 and batchWindow ≥ 0 "
                    + "(got \(configuration.threads), \(configuration.maxBatchSize), "
                    + "\(configuration.maxQueuedTexts) and \(configuration.batchWindow))")
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
        self.team = team
        let workspace = encoder.makeWorkspace(team: team)
        let maxLength = maxSequenceLength
        let content = ContentTokens(vocabulary: tokenizer.vocabulary)
        worker = EncoderThread(
            name: "MiniLMEmbedder", maxBatchSize: configuration.maxBatchSize,
            batchWindow: configuration.batchWindow, maxQueuedTexts: configuration.maxQueuedTexts
        ) { texts in
            encoder.encode(
                texts.map { tokenizer.encode($0, maxLength: maxLength) }, workspace: workspace, select: content.select)
        }
    }

    deinit {
        worker.stop()
        team.stop()
    }

    /// One unit vector of ``dimensions`` floats per text, in order; `[]` for
    /// no texts. Tokenising and encoding run on the embedder's own thread,
    /// merged with other callers' texts into shared forward passes (the
    /// vectors do not depend on the company); the calling task is suspended,
    /// not blocked, meanwhile.
    ///
    /// Throws ``EmbeddingError/Code/queueFull`` at once when
    /// ``Configuration/maxQueuedTexts`` texts already wait, and
    /// `CancellationError` as soon as the calling task is cancelled: texts
    /// still queued are then never encoded.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await encode(texts).map(\.vector)
    }

    /// The sentence vectors of ``embed(_:)`` with each text's content-token
    /// vectors from the same pass (see ``TokenVectors``): the last layer's
    /// rows of every token except special tokens, punctuation, `[UNK]` and
    /// one-piece function words, so a verifier can align two texts word by
    /// word at no extra encoding cost. Queued, merged and cancelled as
    /// ``embed(_:)`` is.
    public func encode(_ texts: [String]) async throws -> [TextEncoding] {
        guard !texts.isEmpty else { return [] }
        return try await worker.embed(texts)
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
