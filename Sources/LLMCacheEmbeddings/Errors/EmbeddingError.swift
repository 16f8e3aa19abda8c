/// The one error type of the embeddings module.
///
/// A struct with an opaque ``Code`` rather than an enum, so that new failure
/// kinds (model weights, HTTP embedders) can be added without breaking callers
/// who switch over codes. Messages name the file involved and what to do about
/// it, because the usual cause is a machine that has not fetched the model yet.
public struct EmbeddingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case modelFileMissing
            case malformedModelFile
            case invalidConfiguration
            case queueFull
            case unsupportedCPU
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A model file (e.g. `vocab.txt`) does not exist or cannot be read.
        public static var modelFileMissing: Self { .init(.modelFileMissing) }
        /// A model file exists but its content is not what the model needs
        /// (not UTF-8, empty, duplicate tokens, a required special token absent).
        public static var malformedModelFile: Self { .init(.malformedModelFile) }
        /// A setting passed in code is out of range (e.g. a batch size of 0).
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        /// The embedder already holds as many waiting texts as its bound allows
        /// (``MiniLMEmbedder/Configuration/maxQueuedTexts``). Failing at once
        /// lets a caller shed load — a semantic tier counts a miss — instead of
        /// queueing behind seconds of work it would time out on anyway.
        public static var queueFull: Self { .init(.queueFull) }
        /// A setting asks for instructions this CPU lacks: bfloat16 weights
        /// (``MiniLMEmbedder/WeightPrecision/bfloat16``) need AVX512-BF16.
        /// Raised when the embedder is created, so a service configured for
        /// a faster path learns at start-up that it would not get it;
        /// ``MiniLMEmbedder/WeightPrecision/automatic`` never raises it.
        public static var unsupportedCPU: Self { .init(.unsupportedCPU) }

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for logs and for the person reading them.
    public let message: String
    /// The lower-level error that caused this one, if any.
    public let underlying: (any Error)?
    /// Where the error was created, for debugging.
    public let file: String
    /// Where the error was created, for debugging.
    public let line: Int

    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "EmbeddingError(\(code)): \(message)"
        if let underlying { text += " (underlying: \(underlying))" }
        return text
    }
}

extension EmbeddingError {
    /// The hint every model-file error ends with: the script that fetches and
    /// verifies the files, and the variable that points elsewhere.
    static let fetchHint =
        "run scripts/model.sh to fetch and verify the all-MiniLM-L6-v2 files "
        + "(or set LLMCACHE_MINILM_PATH to a folder that holds them)"
}
